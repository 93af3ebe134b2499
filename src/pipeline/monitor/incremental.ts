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
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { FeatureStore } from "../featurestore/store.js";
import { keyNames, rowSeriesIds, type KeyColumn, type KeyValue } from "../series/key.js";
import { MONITORING_STATE_KEY, monitoringDayKey } from "../storage/layout.js";
import { readIfExists, type Storage } from "../storage/storage.js";
import { DAY_MS, HOUR_MS } from "../time/index.js";
import { listParts, readParts, utcDay, type ForecastsState } from "../history/partitions.js";
import { joinActuals } from "./join.js";

/** n, ape sum/valid, spe sum/valid, in_80 sum/valid, in_95 sum/valid. */
export type Sums = [number, number, number, number, number, number, number, number, number];

const zero = (): Sums => [0, 0, 0, 0, 0, 0, 0, 0, 0];

function add(into: Sums, from: Sums): void {
  for (let i = 0; i < 9; i++) into[i] += from[i];
}

/** Monitoring's sums of the target hours of one day. */
export interface DaySums {
  format: "energy-forecast/monitoring-day";
  day: string;
  /** Per series and target hour: key values, hour, truth, sums. */
  seriesHour: Array<{ key: KeyValue[]; t: number; y: number; s: Sums }>;
  step: Array<{ step: number; s: Sums }>;
  model: Array<{ model: string; version: number; first: number; last: number; s: Sums }>;
  origin: Array<{ origin: number; model: string; version: number; runId: string; s: Sums }>;
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
  const sums = scored
    ? daySums(scored, names, day)
    : { format: "energy-forecast/monitoring-day" as const, day, seriesHour: [], step: [], model: [], origin: [] };
  await storage.write(monitoringDayKey(day), JSON.stringify(sums), { contentType: "application/json" });
  return sums;
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
    day,
    seriesHour: Array.from(seriesHour.values()),
    step: Array.from(bySt, ([s, sums]) => ({ step: s, s: sums })),
    model: Array.from(byModel.values()),
    origin: Array.from(byOrigin.values()),
  };
}

/** The totals the state keeps per day. */
export function dayTotal(d: DaySums): Sums {
  const total = zero();
  for (const r of d.seriesHour) add(total, r.s);
  return total;
}

const summary = (s: Sums) => ({
  n: s[0],
  mape: s[2] > 0 ? s[1] / s[2] : null,
  rmspe: s[4] > 0 ? Math.sqrt(s[3] / s[4]) : null,
  coverage_80: s[6] > 0 ? s[5] / s[6] : null,
  coverage_95: s[8] > 0 ? s[7] / s[8] : null,
});

/** The monitoring tables (as monitor/metrics.ts defines them) of the given days; `from`: first target hour of `byTime` (earlier days feed the 7-day window only). */
export function metricsOfDays(
  days: readonly DaySums[],
  keys: readonly KeyColumn[],
  from: number,
): {
  byTime: ColumnTable;
  bySeries: ColumnTable;
  byStep: ColumnTable;
  byModel: ColumnTable;
  byOrigin: ColumnTable;
  y: ColumnTable;
} {
  const names = keyNames(keys);
  const hours = new Map<number, Sums>();
  const series = new Map<string, { key: KeyValue[]; s: Sums }>();
  const steps = new Map<number, Sums>();
  const models = new Map<string, { model: string; version: number; first: number; last: number; s: Sums }>();
  const origins = new Map<string, { origin: number; model: string; version: number; runId: string; s: Sums }>();
  const y: Array<{ key: KeyValue[]; t: number; y: number }> = [];
  for (const d of days) {
    for (const r of d.seriesHour) {
      let h = hours.get(r.t);
      if (!h) hours.set(r.t, (h = zero()));
      add(h, r.s);
      if (r.t < from) continue;
      y.push(r);
      const id = JSON.stringify(r.key);
      let s = series.get(id);
      if (!s) series.set(id, (s = { key: r.key, s: zero() }));
      add(s.s, r.s);
    }
    if (d.seriesHour.length > 0 && Math.max(...d.seriesHour.map((r) => r.t)) < from) continue;
    for (const r of d.step) {
      let s = steps.get(r.step);
      if (!s) steps.set(r.step, (s = zero()));
      add(s, r.s);
    }
    for (const r of d.model) {
      const k = `${r.model}\u0000${r.version}`;
      let m = models.get(k);
      if (!m) models.set(k, (m = { ...r, s: zero() }));
      m.first = Math.min(m.first, r.first);
      m.last = Math.max(m.last, r.last);
      add(m.s, r.s);
    }
    for (const r of d.origin) {
      const k = `${r.origin}\u0000${r.model}\u0000${r.version}\u0000${r.runId}`;
      let o = origins.get(k);
      if (!o) origins.set(k, (o = { ...r, s: zero() }));
      add(o.s, r.s);
    }
  }
  // Per hour with the trailing 7-day window (pooled: MAPE sum over the count, as monitor/metrics.ts).
  const ts = Array.from(hours.keys()).sort((a, b) => a - b);
  const rows: Array<Record<string, unknown>> = [];
  let lo = 0;
  let sA = 0,
    sN = 0,
    sI = 0,
    sIN = 0;
  for (let i = 0; i < ts.length; i++) {
    const s = hours.get(ts[i])!;
    sA += s[1];
    sN += s[0];
    sI += s[5];
    sIN += s[6];
    while (ts[lo] <= ts[i] - 7 * DAY_MS) {
      const o = hours.get(ts[lo])!;
      sA -= o[1];
      sN -= o[0];
      sI -= o[5];
      sIN -= o[6];
      lo++;
    }
    if (ts[i] >= from) rows.push({ datetime_utc: ts[i], ...summary(s), mape_7d: sA / sN, coverage_80_7d: sIN > 0 ? sI / sIN : null });
  }
  const table = (objects: Array<Record<string, unknown>>, columns: string[]) =>
    aq.table(Object.fromEntries(columns.map((c) => [c, objects.map((o) => o[c])]))) as ColumnTable;
  const SUM = ["n", "mape", "rmspe", "coverage_80", "coverage_95"];
  const byMape = (a: { s: Sums }, b: { s: Sums }) => (summary(b.s).mape ?? -Infinity) - (summary(a.s).mape ?? -Infinity);
  y.sort((a, b) => a.t - b.t || compareKeyArrays(a.key, b.key));
  return {
    byTime: table(rows, ["datetime_utc", ...SUM, "mape_7d", "coverage_80_7d"]),
    bySeries: table(
      Array.from(series.values())
        .sort(byMape)
        .map((r) => ({ ...Object.fromEntries(names.map((k, i) => [k, r.key[i]])), ...summary(r.s) })),
      [...names, ...SUM],
    ),
    byStep: table(
      Array.from(steps, ([step, s]) => ({ step, ...summary(s) })).sort((a, b) => a.step - b.step),
      ["step", ...SUM],
    ),
    byModel: table(
      Array.from(models.values())
        .sort((a, b) => a.first - b.first)
        .map((r) => ({ model: r.model, model_version: r.version, ...summary(r.s), first_origin: r.first, last_origin: r.last })),
      ["model", "model_version", ...SUM, "first_origin", "last_origin"],
    ),
    byOrigin: table(
      Array.from(origins.values())
        .sort((a, b) => a.origin - b.origin)
        .map((r) => ({ origin: r.origin, model: r.model, model_version: r.version, run_id: r.runId, ...summary(r.s) })),
      ["origin", "model", "model_version", "run_id", ...SUM],
    ),
    y: table(
      y.map((r) => ({ datetime_utc: r.t, ...Object.fromEntries(names.map((k, i) => [k, r.key[i]])), energy_consumption: r.y })),
      ["datetime_utc", ...names, "energy_consumption"],
    ),
  };
}

function compareKeyArrays(a: readonly KeyValue[], b: readonly KeyValue[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    return (a[i] as number | string) < (b[i] as number | string) ? -1 : 1;
  }
  return 0;
}

/** The pooled totals over every scored day of the state: n, MAPE, 80 % coverage. */
export function stateTotals(state: MonitoringState): { scored: number; mape: number | null; coverage80: number | null } {
  const t = zero();
  for (const s of Object.values(state.days)) add(t, s);
  const s = summary(t);
  return { scored: t[0], mape: s.mape, coverage80: s.coverage_80 };
}
