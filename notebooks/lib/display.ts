/**
 * Rendering helpers of the notebooks: charts as vega-lite compiled and rendered to static SVG
 * inside the kernel, tables as HTML. Static outputs show wherever a notebook is viewed (GitHub,
 * nbviewer, VS Code, Jupyter) without running JavaScript. No pipeline logic lives here: the
 * notebooks import that from src/pipeline.
 */
import type { ColumnTable } from "arquero";
import * as tslab from "tslab";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** A vega-lite spec (data inline, e.g. `{ values: table.objects() }`). */
export type ChartSpec = TopLevelSpec;

/**
 * Compiles a vega-lite spec and shows it as SVG in the cell's output. Await it: rendering is
 * asynchronous, and a chart that fails must fail its cell.
 */
export async function showChart(spec: ChartSpec): Promise<void> {
  const view = new vega.View(vega.parse(compile({ background: "white", ...spec } as ChartSpec).spec), { renderer: "none" });
  try {
    tslab.display.svg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** Column formats of {@link showTable}. */
export interface TableFormat {
  /** Rows to show (default 20). */
  limit?: number;
  /** Fractions shown as percentages (0.0712 -> 7.12%). */
  percent?: string[];
  /** Epoch-millisecond columns shown as UTC `yyyy-MM-dd HH:mm`. */
  time?: string[];
  /** Fraction digits of other non-integer numbers (default 2). */
  digits?: number;
  /** Explicit formatters, by column. */
  format?: Record<string, (value: unknown) => string>;
}

/** Shows an arquero table as an HTML table. */
export function showTable(table: ColumnTable, options: TableFormat = {}): void {
  const format: Record<string, (value: unknown) => string> = {};
  for (const c of options.percent ?? []) format[c] = (v) => percent(v as number | null);
  for (const c of options.time ?? []) format[c] = (v) => utcText(v as number | null);
  Object.assign(format, options.format);
  const digits = options.digits ?? 2;
  for (const c of table.columnNames()) {
    format[c] ??= (v) => (typeof v !== "number" ? String(v) : Number.isInteger(v) ? String(v) : Number.isFinite(v) ? v.toFixed(digits) : "–");
  }
  const limit = options.limit ?? 20;
  const more = table.numRows() > limit ? `<p><i>${limit} of ${table.numRows()} rows</i></p>` : "";
  tslab.display.html(table.toHTML({ limit, format, null: () => "–" }) + more);
}

/** Shows Markdown (conclusions computed from the data). */
export function showMarkdown(markdown: string): void {
  tslab.display.markdown(markdown);
}

/** A fraction as a percentage with `digits` decimals; `–` for null or NaN. */
export function percent(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : `${(x * 100).toFixed(digits)}%`;
}

/** Epoch ms as UTC `yyyy-MM-dd HH:mm`; `–` for null or NaN. */
export function utcText(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? "–" : new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

/**
 * An axis or column title for hourly values in the dataset's unit (from `store.info()`):
 * `MWh per hour` for energy units, the unit itself (the hour's mean) for power units.
 */
export function perHour(unit: string): string {
  return /Wh$/.test(unit) ? `${unit} per hour` : unit;
}
