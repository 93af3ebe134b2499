import { PipelineError } from "../core/errors.js";
import { keyColumns, type DatasetSpec } from "../dataset/spec.js";
import { panelFromTable, type Panel } from "../features/panel.js";
import type { SeriesFilter, Source } from "../ingest/source.js";
import { transformRaw } from "../ingest/transform.js";

/**
 * Everything a file source holds, as a panel: extract its whole extent, transform to the
 * canonical columns, and lay the series on one hourly grid. Throws when the source cannot say
 * what it holds (the API: a backtest needs a file) or holds key texts outside a coded key's codes.
 */
export async function loadSourcePanel(source: Source, spec: DatasetSpec, filter?: SeriesFilter): Promise<Panel> {
  const extent = await source.extent(spec);
  if (!extent) {
    throw new PipelineError(
      "backtest",
      `${source.description} cannot list its time extent; backtest from a file (--source embedded, file:<path.csv> or a path to a CSV/parquet file)`,
    );
  }
  const { table, report } = transformRaw(await source.extract(extent, spec, filter), spec);
  for (const [column, unknown] of Object.entries(report.unknownCodes)) {
    const key = spec.keys.find((k) => k.source === column)!;
    throw new PipelineError(
      "backtest",
      `${source.description} has rows with ${column} ${Object.keys(unknown).join(", ")}, not among the dataset's codes (${Object.keys(key.codes ?? {}).join(", ")}); fix the file or the preset's codes`,
    );
  }
  return panelFromTable(table, keyColumns(spec), source.description);
}
