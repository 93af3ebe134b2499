/**
 * Incremental monitoring. The errors are kept as sums per target day (UTC) in
 * `monitoring/days/date=<day>.json` (per series and hour, step, model version, origin), so a run
 * scores only the days whose truth arrived since the last scored hour (`monitoring/state.json`),
 * recomputing each such day whole from the forecast partitions that can target it. A day's sums
 * depend only on the forecasts targeting it and the truth visible for it, so scoring a store tick
 * by tick gives the same sums as scoring it at once ({@link scoreDays} over every day).
 *
 * Forecasts written for hours already scored (a late `predict --as-of`, a rerun) mark their days
 * dirty in the state (`dirtyFrom`), and the next run scores them again. Revisions of truth already
 * scored are not picked up until the day is scored again (doctor or deleting the state recomputes
 * every day).
 *
 * Each day file records its {@link DAY_FORMAT_VERSION}: a day written by an older version lacks
 * sums added since (version 2 added `naive`, the comparison with the seasonal-naive rules), and
 * monitor scores it again, once, when its window reads it (monitor/upgrade.ts).
 */
import type { ColumnTable } from "arquero";
import type { FeatureStore } from "../featurestore/store.js";
import { keyNames, rowSeriesIds, type KeyColumn, type KeyValue } from "../series/key.js";
import { MONITORING_STATE_KEY, monitoringDayKey } from "../storage/layout.js";
import { readIfExists, type Storage } from "../storage/storage.js";
import { DAY_MS, HOUR_MS } from "../time/index.js";
import { listParts, readParts, utcDay, type ForecastsState } from "../history/partitions.js";
import { joinActuals } from "./join.js";
import { naiveStepSums, type NaiveStepSums } from "./naive.js";
import { add, summary, zero, type Sums } from "./sums.js";

export type { Sums } from "./sums.js";

/**
 * The day files' format version: 2 added `naive`. Files without a version are version 1 (they
 * were written before the field existed).
 */
export const DAY_FORMAT_VERSION = 2;

/** Monitoring's sums of the target hours of one day. */
export interface DaySums {
  format: "energy-forecast/monitoring-day";
  /** Absent in version-1 files. */
  formatVersion?: number;
  day: string;
  /** Per series and target hour: key values, hour, truth, sums. */
  seriesHour: Array<{ key: KeyValue[]; t: number; y: number; s: Sums }>;
  step: Array<{ step: number; s: Sums }>;
  model: Array<{ model: string; version: number; first: number; last: number; s: Sums }>;
  origin: Array<{ origin: number; model: string; version: number; runId: string; s: Sums }>;
  /** Per step: the model's forecasts next to the seasonal-naive rules (monitor/naive.ts); absent in version-1 files. */
  naive?: NaiveStepSums[];
}

/** What `monitoring/state.json` records. */
export interface MonitoringState {
  format: "energy-forecast/monitoring-state";
  formatVersion: 1;
  /** Truth before this instant (epoch ms) has been scored; null before the first run. */
  scoredUntil: number | null;
  /** Forecasts for hours at or after this instant were written after they were scored: score again. */
  dirtyFrom: number | null;
  /** Per scored day: n, ape sum/valid, in_80 sum/valid (the pooled totals of the report). */
  days: Record<string, Sums>;
}

export function emptyMonitoringState(): MonitoringState {
  return { format: "energy-forecast/monitoring-state", formatVersion: 1, scoredUntil: null, dirtyFrom: null, days: {} };
}

export async function readMonitoringState(storage: Storage): Promise<MonitoringState | undefined> {
  const bytes = await readIfExists(storage, MONITORING_STATE_KEY);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as MonitoringState;
  } catch {
    return undefined; // recomputed from the partitions
  }
}

export async function writeMonitoringState(storage: Storage, state: MonitoringState): Promise<void> {
  await storage.write(MONITORING_STATE_KEY, JSON.stringify(state), { contentType: "application/json" });
}

/** Marks forecasts written for target hours from `from` on as to be scored again, when those hours were scored. */
export async function markDirty(storage: Storage, from: number): Promise<void> {
  const state = await readMonitoringState(storage);
  if (!state || state.scoredUntil === null || from >= state.scoredUntil) return;
  state.dirtyFrom = state.dirtyFrom === null ? from : Math.min(state.dirtyFrom, from);
  await writeMonitoringState(storage, state);
}

export async function readDay(storage: Storage, day: string): Promise<DaySums | undefined> {
  const bytes = await readIfExists(storage, monitoringDayKey(day));
  return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as DaySums);
}

/**
 * Scores the target hours of day `dayStart` (epoch ms, UTC midnight) visible before
 * `visibleUntil` and writes its sums; undefined (and nothing written) when no forecast targets it.
 */
export async function scoreDay(
  storage: Storage,
  store: FeatureStore,
  keys: readonly KeyColumn[],
  forecasts: ForecastsState,
  dayStart: number,
  visibleUntil: number,
): Promise<DaySums | undefined> {
  const end = Math.min(dayStart + DAY_MS, visibleUntil);
  const reach = Math.max(1, forecasts.maxStepHours) * HOUR_MS;
  const parts = await listParts(storage, dayStart - reach, end - 1);
  const day = utcDay(dayStart);
  const all = await readParts(storage, keys, parts);
  if (!all) return undefined;
  const inDay = all
    .params({ a: dayStart, b: end })
    .filter((d: { datetime_utc: number }, $: { a: number; b: number }) => d.datetime_utc >= $.a && d.datetime_utc < $.b);
  const names = keyNames(keys);
  const truth = end > dayStart ? await store.read({ start: dayStart, end }) : undefined;
  const scored = truth && inDay.numRows() > 0 ? joinActuals(inDay, truth, names) : undefined;
  const sums = scored ? daySums(scored, names, day) : emptyDay(day);
  if (scored) sums.naive = await naiveStepSums(store, keys, scored, dayStart, Math.ceil((end - dayStart) / HOUR_MS));
  await storage.write(monitoringDayKey(day), JSON.stringify(sums), { contentType: "application/json" });
  return sums;
}

function emptyDay(day: string): DaySums {
  return { format: "energy-forecast/monitoring-day", formatVersion: DAY_FORMAT_VERSION, day, seriesHour: [], step: [], model: [], origin: [], naive: [] };
}

/** The sums of scored forecasts (see {@link joinActuals}). */
export function daySums(scored: ColumnTable, names: readonly string[], day: string): DaySums {
  const n = scored.numRows();
  const ids = rowSeriesIds(
    names.map((k) => scored.array(k) as ArrayLike<unknown>),
    n,
  );
  const col = <T>(c: string) => scored.array(c) as ArrayLike<T>;
  const [t, y, ape, spe, in80, in95, step, origin, model, version, runId] = [
    col<number>("datetime_utc"),
    col<number>("y"),
    col<number | null>("ape"),
    col<number | null>("spe"),
    col<number | null>("in_80"),
    col<number | null>("in_95"),
    col<number>("step"),
    col<number>("origin"),
    col<string>("model"),
    col<number>("model_version"),
    col<string>("run_id"),
  ];
  const keyCols = names.map((k) => col<KeyValue>(k));
  const seriesHour = new Map<string, { key: KeyValue[]; t: number; y: number; s: Sums }>();
  const bySt = new Map<number, Sums>();
  const byModel = new Map<string, { model: string; version: number; first: number; last: number; s: Sums }>();
  const byOrigin = new Map<string, { origin: number; model: string; version: number; runId: string; s: Sums }>();
  const valid = (v: number | null | undefined) => v !== null && v !== undefined && !Number.isNaN(v);
  for (let i = 0; i < n; i++) {
    const row: Sums = [1, 0, 0, 0, 0, 0, 0, 0, 0];
    if (valid(ape[i])) {
      row[1] = ape[i]!;
      row[2] = 1;
    }
    if (valid(spe[i])) {
      row[3] = spe[i]!;
      row[4] = 1;
    }
    if (valid(in80[i])) {
      row[5] = in80[i]!;
      row[6] = 1;
    }
    if (valid(in95[i])) {
      row[7] = in95[i]!;
      row[8] = 1;
    }
    const sh = `${ids[i]}\u0000${t[i]}`;
    let a = seriesHour.get(sh);
    if (!a) seriesHour.set(sh, (a = { key: keyCols.map((c) => c[i]), t: t[i], y: y[i], s: zero() }));
    add(a.s, row);
    let b = bySt.get(step[i]);
    if (!b) bySt.set(step[i], (b = zero()));
    add(b, row);
    const mk = `${model[i]}\u0000${version[i]}`;
    let m = byModel.get(mk);
    if (!m) byModel.set(mk, (m = { model: model[i], version: version[i], first: origin[i], last: origin[i], s: zero() }));
    m.first = Math.min(m.first, origin[i]);
    m.last = Math.max(m.last, origin[i]);
    add(m.s, row);
    const ok = `${origin[i]}\u0000${mk}\u0000${runId[i]}`;
    let o = byOrigin.get(ok);
    if (!o) byOrigin.set(ok, (o = { origin: origin[i], model: model[i], version: version[i], runId: runId[i], s: zero() }));
    add(o.s, row);
  }
  return {
    format: "energy-forecast/monitoring-day",
    formatVersion: DAY_FORMAT_VERSION,
    day,
    seriesHour: Array.from(seriesHour.values()),
    step: Array.from(bySt, ([s, sums]) => ({ step: s, s: sums })),
    model: Array.from(byModel.values()),
    origin: Array.from(byOrigin.values()),
    naive: [],
  };
}

/** The totals the state keeps per day. */
export function dayTotal(d: DaySums): Sums {
  const total = zero();
  for (const r of d.seriesHour) add(total, r.s);
  return total;
}

/** The pooled totals over every scored day of the state: n, MAPE, 80 % coverage. */
export function stateTotals(state: MonitoringState): { scored: number; mape: number | null; coverage80: number | null } {
  const t = zero();
  for (const s of Object.values(state.days)) add(t, s);
  const s = summary(t);
  return { scored: t[0], mape: s.mape, coverage80: s.coverage_80 };
}
