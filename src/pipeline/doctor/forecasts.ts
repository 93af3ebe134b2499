/**
 * Doctor's view of the partitioned forecast history (history/partitions.ts): one file per origin
 * under `forecasts/origin=<day>/`, the state `forecasts/state.json`, and the compacted window
 * `predictions_monitoring.parquet` (history/window.ts).
 *
 * Examined: every partition file decodes with the forecasts' schema and holds only its origin's
 * forecasts; the state is there, parses and agrees with the partitions (rows, latest origin,
 * longest step); every run folder's forecasts (runs/<id>/predictions.parquet, failed runs left
 * out) are in the partition of their origin; the window decodes and matches the partitions of
 * the origins it holds (it is never compared with older runs: it holds only the last
 * HISTORY_WINDOW_DAYS days of origins).
 *
 * Repair sets damaged partitions aside under `damaged/` and rebuilds them from the run folders (a
 * later run's forecast of the same origin, series and hour winning, as the runs wrote them),
 * adds the run folders' forecasts a partition lacks (keeping every row it has), then rewrites the
 * state from the partitions and the window from the state.
 */
import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import {
  forecastsMaxStep,
  partOrigin,
  readForecastsState,
  readParts,
  rowsByOrigin,
  stateOfParts,
  writeForecastPartitions,
  writeForecastsState,
  type ForecastsState,
} from "../history/partitions.js";
import { writeHistoryWindow } from "../history/window.js";
import type { KeyColumn } from "../series/key.js";
import { FORECASTS_PREFIX, FORECASTS_STATE_KEY, forecastPartKey, outputKeys, runFileKey } from "../storage/layout.js";
import type { DoctorContext } from "./context.js";
import { historyFromRuns, rowIds } from "./history.js";
import type { Finding, RepairAction } from "./report.js";
import type { RunFolder } from "./runs.js";
import { decodeOutput } from "./schemas.js";
import { setAside } from "./set-aside.js";

/** A partition file that decodes. */
export interface PartState {
  key: string;
  origin: number;
  rows: number;
  maxStepHours: number;
}

/** What doctor found in the partitioned forecast history. */
export interface ForecastsExamination {
  keys?: KeyColumn[];
  /** Days of origins the compacted window holds (HISTORY_WINDOW_DAYS). */
  windowDays: number;
  /** Partition files that decode. */
  parts: PartState[];
  /** Partition files that do not decode, or hold forecasts of other origins. */
  damaged: Array<{ key: string; origin: number; problem: string }>;
  /** `forecasts/state.json`: as the partitions make it, missing, not a state, or disagreeing with the partitions. */
  state: "ok" | "missing" | "unreadable" | "disagrees";
  /** The state as recorded, when it parses. */
  recorded?: ForecastsState;
  /** Runs whose forecasts count (not failed, predictions decode), in the order they wrote them. */
  sources: RunFolder[];
  /** Per origin some source run forecasts from, the forecasts (row ids) its partition holds, when it decodes. */
  present: Map<number, Set<string>>;
  /** Per run, how many of its forecasts are not in the partition of their origin, and those origins. */
  missing: Array<{ run: RunFolder; rows: number; origins: number[] }>;
  /** The compacted window: `none` when there is nothing to hold (no partitions, no window). */
  window: "ok" | "none" | "absent" | "corrupt" | "stale";
  /** Forecast rows in the partitions that decode. */
  rows: number;
}

/** Whether the store's history is partitioned (migrated): it has a state or partition files. */
export function isPartitioned(keys: readonly string[]): boolean {
  return keys.some((k) => k === FORECASTS_STATE_KEY || partOrigin(k) !== undefined);
}

const iso = (ms: number | null): string => (ms === null ? "none" : new Date(ms).toISOString().slice(0, 16) + "Z");

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Examines the partitioned history, its state, its window and the run folders' forecasts in it, adding findings. */
export async function examineForecasts(
  ctx: DoctorContext,
  keys: KeyColumn[] | undefined,
  runs: readonly RunFolder[],
  findings: Finding[],
  windowDays: number,
): Promise<ForecastsExamination> {
  const sources = runs.filter((r) => r.status !== "failed" && r.predictions !== undefined);
  const f: ForecastsExamination = {
    ...(keys ? { keys } : {}),
    windowDays,
    parts: [],
    damaged: [],
    state: "ok",
    sources,
    present: new Map(),
    missing: [],
    window: "none",
    rows: 0,
  };
  const keyNames = keys?.map((k) => k.name) ?? [];
  const runOrigins = new Map<RunFolder, Map<number, number[]>>(sources.map((r) => [r, rowsByOrigin(r.predictions!)]));
  const needed = new Set<number>();
  for (const o of runOrigins.values()) for (const origin of o.keys()) needed.add(origin);
  const known = new Set(runs.map((r) => r.id));
  const partKeys = ctx.keys
    .flatMap((key) => {
      const origin = partOrigin(key);
      return origin === undefined ? [] : [{ key, origin }];
    })
    .sort((a, b) => a.origin - b.origin);

  // Every partition file decodes and holds only its origin's forecasts.
  let orphans = 0;
  for (const p of partKeys) {
    let problem: string | undefined;
    let table: ColumnTable | undefined;
    if (!keys) problem = "the series key columns are unknown (no feature-group manifest or forecast file says them)";
    else {
      try {
        table = await readParts(ctx.storage, keys, [p]);
      } catch (error) {
        problem = message(error);
      }
    }
    if (table) {
      const origins = table.array("origin") as ArrayLike<number>;
      let others = 0;
      for (let i = 0; i < origins.length; i++) if (origins[i] !== p.origin) others++;
      if (others > 0) problem = `holds ${others} forecast(s) of other origins`;
    }
    if (problem !== undefined || !table) {
      const from = sources.filter((r) => runOrigins.get(r)!.has(p.origin));
      f.damaged.push({ key: p.key, origin: p.origin, problem: problem ?? "is empty" });
      findings.push({
        area: "history",
        severity: "problem",
        subject: p.key,
        message: `the partition of origin ${iso(p.origin)} ${problem?.startsWith("holds") ? problem : `does not decode (${problem})`}; every monitor that scores its days fails on it`,
        repair:
          from.length > 0
            ? `set it aside under damaged/ and rebuild it from the ${from.length} run folder(s) holding forecasts of that origin`
            : "set it aside under damaged/ (no run folder holds forecasts of that origin: they are lost)",
      });
      continue;
    }
    f.parts.push({ key: p.key, origin: p.origin, rows: table.numRows(), maxStepHours: forecastsMaxStep(table) });
    f.rows += table.numRows();
    if (needed.has(p.origin)) f.present.set(p.origin, new Set(rowIds(table, keyNames)));
    const runIds = table.array("run_id") as ArrayLike<string>;
    for (let i = 0; i < runIds.length; i++) if (!known.has(runIds[i])) orphans++;
  }
  if (orphans > 0) {
    findings.push({
      area: "history",
      severity: "note",
      subject: FORECASTS_PREFIX,
      message: `${orphans} forecast(s) in the partitions come from runs that have no run folder (deleted?); a rebuild of their partition from the run folders would not have them`,
    });
  }

  examineState(f, findings, await readState(ctx));

  // Every run folder's forecasts are in the partition of their origin.
  const damagedOrigins = new Set(f.damaged.map((d) => d.origin));
  for (const run of sources) {
    const ids = rowIds(run.predictions!, keyNames);
    let rows = 0;
    const origins: number[] = [];
    for (const [origin, indices] of runOrigins.get(run)!) {
      if (damagedOrigins.has(origin)) continue; // rebuilt from the run folders anyway
      const present = f.present.get(origin);
      const lacking = present ? indices.filter((i) => !present.has(ids[i])).length : indices.length;
      if (lacking === 0) continue;
      rows += lacking;
      origins.push(origin);
    }
    if (rows === 0) continue;
    f.missing.push({ run, rows, origins });
    const complete = run.status === "complete";
    const partitions = origins.map((o) => forecastPartKey(o)).join(", ");
    findings.push({
      area: "history",
      severity: complete ? "problem" : "warning",
      subject: runFileKey(run.id, outputKeys.predictions),
      message:
        `${rows} of ${ids.length} forecast(s) of run ${run.id} are not in the partition of their origin (${partitions})` +
        (complete ? "" : " (a run without manifest: a predict command, or a run that was interrupted or is still running)"),
      repair: `add them to ${partitions}`,
    });
  }

  await examineWindow(ctx, f, findings);
  return f;
}

async function readState(ctx: DoctorContext): Promise<ForecastsState | string | undefined> {
  if (!ctx.keys.includes(FORECASTS_STATE_KEY)) return undefined;
  try {
    const state = await readForecastsState(ctx.storage);
    if (state === undefined) return undefined;
    const ok =
      typeof state === "object" &&
      state !== null &&
      state.format === "energy-forecast/forecasts-state" &&
      Number.isInteger(state.rows) &&
      (state.latestOrigin === null || Number.isFinite(state.latestOrigin)) &&
      Number.isFinite(state.maxStepHours);
    return ok ? state : "is not a forecast history state (format energy-forecast/forecasts-state)";
  } catch {
    return "is not JSON";
  }
}

function examineState(f: ForecastsExamination, findings: Finding[], state: ForecastsState | string | undefined): void {
  const actual = stateOfParts(f.parts);
  const make = `${actual.rows} forecast(s) in ${f.parts.length} partition file(s), latest origin ${iso(actual.latestOrigin)}`;
  if (state === undefined) {
    f.state = "missing";
    findings.push({
      area: "history",
      severity: "problem",
      subject: FORECASTS_STATE_KEY,
      message: `the forecast history's state is missing but ${f.parts.length + f.damaged.length} partition file(s) exist; the next run would take the compacted window for a single-file history and record a wrong row count`,
      repair: `rebuild it from the partitions (${make})`,
    });
    return;
  }
  if (typeof state === "string") {
    f.state = "unreadable";
    findings.push({
      area: "history",
      severity: "problem",
      subject: FORECASTS_STATE_KEY,
      message: `the forecast history's state ${state}; every run and monitor fails on it`,
      repair: `set it aside under damaged/ and rebuild it from the partitions (${make})`,
    });
    return;
  }
  f.recorded = state;
  // With damaged partitions the rows are not known: the repair rewrites the state anyway.
  if (f.damaged.length > 0) return;
  // Bounds may run ahead of the files (predict writes them first); falling short would hide files from monitoring.
  const short = (state.latestOrigin ?? -Infinity) < (actual.latestOrigin ?? -Infinity) || state.maxStepHours < actual.maxStepHours;
  if (short || state.rows !== actual.rows) {
    f.state = "disagrees";
    findings.push({
      area: "history",
      // A row count alone lags after a predict stopped between its writes (the count is for reports;
      // nothing reads rows by it): a note, recomputed by --repair.
      severity: short ? "problem" : "note",
      subject: FORECASTS_STATE_KEY,
      message:
        `records ${state.rows} forecast(s), latest origin ${iso(state.latestOrigin)}, longest step ${state.maxStepHours} h; ` +
        `the partitions hold ${actual.rows}, latest origin ${iso(actual.latestOrigin)}, longest step ${actual.maxStepHours} h`,
      repair: "rebuild it from the partitions",
    });
  }
}

/** The window decodes and holds, per origin it holds, what that origin's partition holds, up to the latest origin. */
async function examineWindow(ctx: DoctorContext, f: ForecastsExamination, findings: Finding[]): Promise<void> {
  const key = outputKeys.history;
  const rewrite = `rewrite it from the partitions (the last ${f.windowDays} day(s) of origins)`;
  if (!ctx.keys.includes(key)) {
    if (f.parts.length === 0 && f.damaged.length === 0) return;
    f.window = "absent";
    findings.push({
      area: "history",
      severity: "note",
      subject: key,
      message: "the compacted window of the forecast history is missing: the reports and notebooks that read it see no forecasts until the next run writes it",
      repair: rewrite,
    });
    return;
  }
  const decoded = decodeOutput(await ctx.storage.read(key), key, f.keys);
  if (typeof decoded === "string") {
    f.window = "corrupt";
    findings.push({
      area: "history",
      severity: "problem",
      subject: key,
      message: `the compacted window of the forecast history does not decode (${decoded}); the reports and notebooks that read it fail on it`,
      repair: `set it aside under damaged/ and ${rewrite}`,
    });
    return;
  }
  f.window = "ok";
  const counts = new Map<number, number>();
  const origins = decoded.array("origin") as ArrayLike<number>;
  for (let i = 0; i < origins.length; i++) counts.set(origins[i], (counts.get(origins[i]) ?? 0) + 1);
  // The window holds every origin from its first on, the latest one included.
  const latest = f.parts.length > 0 ? f.parts[f.parts.length - 1].origin : Infinity;
  const from = Math.min(latest, ...counts.keys());
  const damaged = new Set(f.damaged.map((d) => d.origin));
  let differ = 0;
  for (const p of f.parts) if (p.origin >= from && counts.get(p.origin) !== p.rows) differ++;
  const partOrigins = new Set(f.parts.map((p) => p.origin));
  for (const o of counts.keys()) if (!partOrigins.has(o) && !damaged.has(o)) differ++;
  if (differ === 0) return;
  f.window = "stale";
  findings.push({
    area: "history",
    severity: "note",
    subject: key,
    message: `the compacted window of the forecast history does not match the partitions: ${differ} origin(s) from ${iso(from)} on differ or are missing (an interrupted run; the next run rewrites it)`,
    repair: rewrite,
  });
}

/** Whether the partitioned history needs a repair. */
export function forecastsNeedRepair(f: ForecastsExamination): boolean {
  return f.damaged.length > 0 || f.missing.length > 0 || f.state !== "ok" || (f.window !== "ok" && f.window !== "none");
}

/**
 * Repairs the partitioned history as its examination says. `changed`: the partitions changed
 * (monitoring's sums must then be recomputed).
 */
export async function repairForecasts(ctx: DoctorContext, f: ForecastsExamination): Promise<{ actions: RepairAction[]; changed: boolean }> {
  const actions: RepairAction[] = [];
  if (!forecastsNeedRepair(f)) return { actions, changed: false };
  if (!f.keys)
    throw new PipelineError(
      "doctor",
      `the series key columns of ${ctx.storage.uri} are unknown (no feature-group manifest or forecast file says them); cannot write the forecast history`,
    );
  const keys = f.keys;
  const keyNames = keys.map((k) => k.name);
  let changed = false;

  // Damaged partitions: set aside, then rebuilt below from the run folders.
  const rebuild = new Set<number>();
  for (const d of f.damaged) {
    const to = await setAside(ctx.storage, d.key);
    if (to)
      actions.push({
        area: "history",
        action: "set aside",
        subject: d.key,
        to,
        detail: `the partition ${d.problem.startsWith("holds") ? d.problem : "did not decode"}`,
      });
    rebuild.add(d.origin);
    changed = true;
  }
  // Run folders' forecasts a partition lacks: added to it, or the partition built when there is none.
  const fill = new Set<number>();
  for (const m of f.missing) for (const o of m.origins) (f.present.has(o) ? fill : rebuild).add(o);

  let state = stateOfParts(f.parts, f.recorded);
  const touched = (r: RunFolder) => Array.from(r.predictions!.array("origin") as ArrayLike<number>).some((o) => rebuild.has(o) || fill.has(o));
  const runs = f.sources.filter(touched);
  if (runs.length > 0) {
    const all = historyFromRuns(runs, keys).reify();
    const ids = rowIds(all, keyNames);
    const origins = all.array("origin") as ArrayLike<number>;
    const runIds = all.array("run_id") as ArrayLike<string>;
    const picked: number[] = [];
    const per = new Map<number, { rows: number; runs: Set<string> }>();
    for (let i = 0; i < ids.length; i++) {
      const o = origins[i];
      if (!rebuild.has(o) && !(fill.has(o) && !f.present.get(o)!.has(ids[i]))) continue;
      picked.push(i);
      let e = per.get(o);
      if (!e) per.set(o, (e = { rows: 0, runs: new Set() }));
      e.rows++;
      e.runs.add(runIds[i]);
    }
    if (picked.length > 0) {
      const written = await writeForecastPartitions(ctx.storage, all.reify(picked), keys, state);
      state = written.state;
      changed = true;
      for (const [o, e] of Array.from(per).sort(([a], [b]) => a - b)) {
        const ids = Array.from(e.runs).join(", ");
        actions.push(
          rebuild.has(o)
            ? {
                area: "history",
                action: "rebuilt",
                subject: forecastPartKey(o),
                detail: `from runs/*/predictions.parquet of ${e.runs.size} run(s) (${ids}): ${e.rows} forecast(s)`,
              }
            : {
                area: "history",
                action: "filled in",
                subject: forecastPartKey(o),
                detail: `added ${e.rows} forecast(s) of ${e.runs.size} run(s) (${ids}); ${f.present.get(o)!.size + e.rows} row(s) now`,
              },
        );
      }
    }
  }

  if (changed || f.state !== "ok") {
    if (f.state === "unreadable") {
      const to = await setAside(ctx.storage, FORECASTS_STATE_KEY);
      if (to) actions.push({ area: "history", action: "set aside", subject: FORECASTS_STATE_KEY, to, detail: "the forecast history's state did not parse" });
    }
    await writeForecastsState(ctx.storage, state);
    actions.push({
      area: "history",
      action: "rebuilt",
      subject: FORECASTS_STATE_KEY,
      detail: `from the partitions: ${state.rows} forecast(s), latest origin ${iso(state.latestOrigin)}, longest step ${state.maxStepHours} h`,
    });
  }

  if (changed || f.window !== "ok") {
    if (f.window === "corrupt") {
      const to = await setAside(ctx.storage, outputKeys.history);
      if (to) actions.push({ area: "history", action: "set aside", subject: outputKeys.history, to, detail: "the compacted window did not decode" });
    }
    const rows = await writeHistoryWindow(ctx.storage, state, f.windowDays);
    if (state.latestOrigin !== null && rows > 0) {
      actions.push({
        area: "history",
        action: "rebuilt",
        subject: outputKeys.history,
        detail: `from the partitions of the last ${f.windowDays} day(s) of origins: ${rows} forecast(s)`,
      });
    }
  }
  return { actions, changed };
}
