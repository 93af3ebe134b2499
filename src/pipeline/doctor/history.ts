/**
 * The single-file forecast history of a store not yet partitioned (`predictions_monitoring.parquet`
 * without `forecasts/state.json`; its next run migrates it, history/partitions.ts; a partitioned
 * store is examined by forecasts.ts) against the run folders: every run
 * folder holds its own forecasts (`runs/<id>/predictions.parquet`), so the history must hold a
 * forecast for each of their (origin, series, hour), and can be rebuilt from them. Failed runs
 * (`failure.json`) are left out: their outputs are not part of the record.
 *
 * Repair rebuilds a corrupt (set aside first) or missing history from the run folders, a later
 * run's forecast of the same (origin, series, hour) replacing an earlier one as the runs did; a
 * readable history that lacks some runs' forecasts gets them added, keeping every row it has.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import { writeParquet } from "../parquet/write.js";
import { predictionsSchema } from "../predict/schema.js";
import { rowSeriesIds, type KeyColumn } from "../series/key.js";
import { outputKeys, runFileKey } from "../storage/layout.js";
import { readIfExists } from "../storage/storage.js";
import type { DoctorContext } from "./context.js";
import type { Finding, RepairAction } from "./report.js";
import type { RunFolder } from "./runs.js";
import { decodeOutput } from "./schemas.js";
import { setAside } from "./set-aside.js";

/** What doctor found about the forecast history. */
export interface HistoryState {
  key: string;
  state: "absent" | "ok" | "corrupt";
  table?: ColumnTable;
  /** Runs whose forecasts are used (not failed, predictions decode), in the order they wrote them. */
  sources: RunFolder[];
  /** Per run, its forecasts that the history lacks (row indices into its predictions). */
  missing: Array<{ run: RunFolder; rows: number[] }>;
  keys?: KeyColumn[];
}

/** The identity of each forecast row: origin, series, target hour. */
export function rowIds(table: ColumnTable, keyNames: readonly string[]): string[] {
  const n = table.numRows();
  const origin = table.array("origin") as ArrayLike<number>;
  const time = table.array("datetime_utc") as ArrayLike<number>;
  const series = rowSeriesIds(
    keyNames.map((k) => table.array(k) as ArrayLike<unknown>),
    n,
  );
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = `${origin[i]}\u0000${series[i]}\u0000${time[i]}`;
  return out;
}

/** Examines the history against the run folders, adding findings. */
export async function examineHistory(
  ctx: DoctorContext,
  keys: KeyColumn[] | undefined,
  runs: readonly RunFolder[],
  findings: Finding[],
): Promise<HistoryState> {
  const key = outputKeys.history;
  const sources = runs.filter((r) => r.status !== "failed" && r.predictions !== undefined);
  const state: HistoryState = { key, state: "absent", sources, missing: [], ...(keys ? { keys } : {}) };
  const expectedRows = sources.reduce((s, r) => s + r.predictions!.numRows(), 0);
  const bytes = await readIfExists(ctx.storage, key);
  if (bytes === undefined) {
    if (sources.length > 0) {
      findings.push({
        area: "history",
        severity: "problem",
        subject: key,
        message: `there is no forecast history, but ${sources.length} run folder(s) hold ${expectedRows} forecast(s)`,
        repair: `rebuild it from the ${sources.length} run folder(s)`,
      });
    }
    return state;
  }
  const decoded = decodeOutput(bytes, key, keys);
  if (typeof decoded === "string") {
    state.state = "corrupt";
    findings.push({
      area: "history",
      severity: "problem",
      subject: key,
      message: `the forecast history does not decode (${decoded}); every run and monitor fails on it`,
      repair: `set it aside under damaged/ and rebuild it from the ${sources.length} run folder(s) (runs/*/predictions.parquet)`,
    });
    return state;
  }
  state.state = "ok";
  state.table = decoded;
  const names = decoded.columnNames();
  const keyNames = keys?.map((k) => k.name) ?? names.slice(0, names.indexOf("datetime_utc"));
  const present = new Set(rowIds(decoded, keyNames));
  for (const run of sources) {
    const ids = rowIds(run.predictions!, keyNames);
    const rows: number[] = [];
    for (let i = 0; i < ids.length; i++) if (!present.has(ids[i])) rows.push(i);
    if (rows.length === 0) continue;
    state.missing.push({ run, rows });
    const complete = run.status === "complete";
    findings.push({
      area: "history",
      severity: complete ? "problem" : "warning",
      subject: runFileKey(run.id, outputKeys.predictions),
      message:
        `${rows.length} of ${ids.length} forecast(s) of run ${run.id} are not in the forecast history` +
        (complete ? "" : " (a run without manifest: a predict command, or a run that was interrupted or is still running)"),
      repair: "add them to the history",
    });
  }
  const known = new Set(runs.map((r) => r.id));
  const runIds = decoded.array("run_id") as ArrayLike<string>;
  let orphans = 0;
  for (let i = 0; i < runIds.length; i++) if (!known.has(runIds[i])) orphans++;
  if (orphans > 0) {
    findings.push({
      area: "history",
      severity: "note",
      subject: key,
      message: `${orphans} forecast(s) of the history come from runs that have no run folder (deleted?); a rebuild from the run folders would not have them`,
    });
  }
  return state;
}

/**
 * The history the run folders make: every source run's forecasts in run order, a later run's
 * forecast of the same (origin, series, hour) replacing an earlier one.
 */
export function historyFromRuns(runs: readonly RunFolder[], keys: readonly KeyColumn[]): ColumnTable {
  const schema = predictionsSchema(keys);
  const columns = schema.map(([name]) => name);
  const keyNames = keys.map((k) => k.name);
  const tables = runs.map((r) => r.predictions!.select(columns));
  const winner = new Map<string, [number, number]>();
  tables.forEach((t, ti) => rowIds(t, keyNames).forEach((id, i) => winner.set(id, [ti, i])));
  return gather(tables, Array.from(winner.values()), columns).orderby("origin", ...keyNames, "datetime_utc");
}

/** A table of the given (table, row) pairs of `tables`. */
function gather(tables: ColumnTable[], picks: Array<[number, number]>, columns: string[]): ColumnTable {
  const arrays = tables.map((t) => columns.map((c) => t.array(c) as ArrayLike<unknown>));
  return aq.table(Object.fromEntries(columns.map((c, ci) => [c, picks.map(([ti, i]) => arrays[ti][ci][i])]))) as ColumnTable;
}

/** Whether the history needs a repair. */
export function historyNeedsRepair(h: HistoryState): boolean {
  return h.state === "corrupt" || (h.state === "absent" && h.sources.length > 0) || h.missing.length > 0;
}

/** Repairs the forecast history as its examination says. */
export async function repairHistory(ctx: DoctorContext, h: HistoryState): Promise<RepairAction[]> {
  if (!historyNeedsRepair(h)) return [];
  if (!h.keys)
    throw new PipelineError(
      "doctor",
      `the series key columns of ${ctx.storage.uri} are unknown (no feature-group manifest or forecast file says them); cannot write a forecast history`,
    );
  const actions: RepairAction[] = [];
  const schema = predictionsSchema(h.keys);
  if (h.state === "ok") {
    const columns = schema.map(([name]) => name);
    const added = gather(
      h.missing.map((m) => m.run.predictions!.select(columns)),
      h.missing.flatMap((m, ti) => m.rows.map((i) => [ti, i] as [number, number])),
      columns,
    );
    const keyNames = h.keys.map((k) => k.name);
    const merged = h
      .table!.select(columns)
      .concat(added)
      .orderby("origin", ...keyNames, "datetime_utc");
    await ctx.storage.write(h.key, writeParquet(merged, schema), { contentType: "application/vnd.apache.parquet" });
    actions.push({
      area: "history",
      action: "filled in",
      subject: h.key,
      detail: `added ${added.numRows()} forecast(s) of ${h.missing.length} run(s) (${h.missing.map((m) => m.run.id).join(", ")}); ${merged.numRows()} row(s) now`,
    });
    return actions;
  }
  if (h.state === "corrupt") {
    const to = await setAside(ctx.storage, h.key);
    if (to) actions.push({ area: "history", action: "set aside", subject: h.key, to, detail: "the forecast history did not decode" });
  }
  const rebuilt = historyFromRuns(h.sources, h.keys);
  await ctx.storage.write(h.key, writeParquet(rebuilt, schema), { contentType: "application/vnd.apache.parquet" });
  actions.push({
    area: "history",
    action: "rebuilt",
    subject: h.key,
    detail: `from runs/*/predictions.parquet of ${h.sources.length} run(s): ${rebuilt.numRows()} forecast(s)`,
  });
  return actions;
}
