/**
 * The report's downloads: the latest forecast (every series and hour, with its 80 % and 95 %
 * interval bounds) and the monitoring table (the errors of every series), as CSV and parquet.
 * The `*.csv.ts` / `*.parquet.ts` loaders write them to stdout; the pages link them with
 * FileAttachment, so Framework copies them into the build. Unlike the pages' JSON these are not
 * capped to the largest or worst series: stakeholders take all of them away.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { keyAt, metricsBySeriesSchema, outputKeys, predictionsSchema, rowSeriesId, writeParquet, type DatasetInfo, type TableSchema } from "../../../src/pipeline/index.js";
import { runLoader, type ReportContext } from "./context.js";
import { keyArrays, seriesRef } from "./series.js";
import { featureGroup, readOptional } from "./store.js";

/** A download: its rows and the columns (with types) it is written with. */
export interface Download {
  schema: TableSchema;
  table: ColumnTable;
}

/** The readable label column added after the key columns (`DK1 (West Denmark) · consumer type 111`). */
export const LABEL_COLUMN = "series";

/** The latest forecast run's rows (`predictions.parquet`), labelled; no rows before the first run. */
export async function latestForecast(ctx: ReportContext): Promise<Download> {
  const { info } = await featureGroup(ctx);
  const schema = predictionsSchema(info.keys);
  const table = await readOptional(ctx.storage, outputKeys.predictions, schema);
  return labelled(table, schema, info);
}

/** The monitoring errors of every series (`metrics_monitoring_by_series.parquet`), worst MAPE first, labelled. */
export async function monitoringSeries(ctx: ReportContext): Promise<Download> {
  const { info } = await featureGroup(ctx);
  const schema = metricsBySeriesSchema(info.keys);
  const table = await readOptional(ctx.storage, outputKeys.metricsBy("series"), schema);
  return labelled(table?.orderby(aq.desc("mape")), schema, info);
}

/** `table` with the {@link LABEL_COLUMN} after its key columns (an empty table of `schema` when undefined). */
function labelled(table: ColumnTable | undefined, schema: TableSchema, info: DatasetInfo): Download {
  const keys = info.keys.length;
  const out: TableSchema = [...schema.slice(0, keys), [LABEL_COLUMN, "utf8"], ...schema.slice(keys)];
  if (!table) return { schema: out, table: aq.table(Object.fromEntries(out.map(([name]) => [name, []]))) };
  const columns = keyArrays(table, info);
  const labels = new Map<string, string>();
  const series = Array.from({ length: table.numRows() }, (_, i) => {
    const id = rowSeriesId(columns, i);
    let label = labels.get(id);
    if (label === undefined) labels.set(id, (label = seriesRef(keyAt(columns, i), info).label));
    return label;
  });
  return { schema: out, table: table.assign({ [LABEL_COLUMN]: series }).select(out.map(([name]) => name)) };
}

/**
 * CSV of a download: a header of the column names, one line per row, timestamps as ISO UTC
 * (`2023-01-15T00:00:00Z`), numbers in full precision, missing values empty.
 */
export function toCsv({ schema, table }: Download): string {
  const columns = schema.map(([name, type]) => ({ type, values: table.array(name) as ArrayLike<unknown> }));
  const lines = [schema.map(([name]) => csvField(name)).join(",")];
  for (let i = 0; i < table.numRows(); i++) {
    lines.push(columns.map(({ type, values }) => csvValue(values[i], type)).join(","));
  }
  return lines.join("\n") + "\n";
}

function csvValue(v: unknown, type: TableSchema[number][1]): string {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "";
  if (type === "timestamp") return new Date(v instanceof Date ? v.getTime() : Number(v)).toISOString().replace(".000Z", "Z");
  return csvField(String(v));
}

/** A field quoted when it holds a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Runs a download loader: the table `load` gives, written to stdout as CSV or parquet. */
export function runDownload(name: string, format: "csv" | "parquet", load: (ctx: ReportContext) => Promise<Download>): void {
  runLoader(name, async (ctx) => {
    const download = await load(ctx);
    process.stdout.write(format === "csv" ? toCsv(download) : writeParquet(download.table, download.schema));
  });
}
