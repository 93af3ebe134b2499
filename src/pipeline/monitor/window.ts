/**
 * The monitoring tables of the compacted window, pooled from the sums of its days
 * (monitor/incremental.ts): what `metrics_monitoring*.parquet` and `y_monitoring.parquet` hold.
 * Pooling sums (not averaging averages) makes each table equal to monitor/metrics.ts's on the
 * same scored forecasts.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { keyNames, type KeyColumn, type KeyValue } from "../series/key.js";
import { DAY_MS } from "../time/index.js";
import type { DaySums } from "./incremental.js";
import { NAIVE_PERIODS, naiveColumn } from "./schema.js";
import { add, summary, zero, type Sums } from "./sums.js";

/** The window's tables; the first five as monitor/metrics.ts defines them. */
export interface WindowTables {
  byTime: ColumnTable;
  bySeries: ColumnTable;
  byStep: ColumnTable;
  byModel: ColumnTable;
  byOrigin: ColumnTable;
  /** Per series and target day (UTC midnight in `day`): the summary of that day's forecasts. */
  bySeriesDay: ColumnTable;
  /** Per step: the model's MAPE next to the seasonal-naive rules' on the same hours (monitor/naive.ts). */
  vsNaive: ColumnTable;
  /** The truth the window scored (key columns, hour, value). */
  y: ColumnTable;
}

const SUM = ["n", "mape", "rmspe", "coverage_80", "coverage_95"];

/**
 * The monitoring tables of the given days; `from`: first target hour of the tables (earlier days
 * feed the 7-day window of `byTime` only).
 */
export function metricsOfDays(days: readonly DaySums[], keys: readonly KeyColumn[], from: number): WindowTables {
  const names = keyNames(keys);
  const hours = new Map<number, Sums>();
  const series = new Map<string, { key: KeyValue[]; s: Sums }>();
  const seriesDays: Array<{ key: KeyValue[]; day: number; s: Sums }> = [];
  const steps = new Map<number, Sums>();
  const naive = new Map<number, { n: number; model: number; naive: number[] }>();
  const models = new Map<string, { model: string; version: number; first: number; last: number; s: Sums }>();
  const origins = new Map<string, { origin: number; model: string; version: number; runId: string; s: Sums }>();
  const y: Array<{ key: KeyValue[]; t: number; y: number }> = [];
  for (const d of days) {
    const today = new Map<string, { key: KeyValue[]; day: number; s: Sums }>();
    const dayStart = Date.parse(`${d.day}T00:00:00Z`);
    let last = -Infinity;
    for (const r of d.seriesHour) {
      if (r.t > last) last = r.t;
      let h = hours.get(r.t);
      if (!h) hours.set(r.t, (h = zero()));
      add(h, r.s);
      if (r.t < from) continue;
      y.push(r);
      const id = JSON.stringify(r.key);
      let s = series.get(id);
      if (!s) series.set(id, (s = { key: r.key, s: zero() }));
      add(s.s, r.s);
      let sd = today.get(id);
      if (!sd) today.set(id, (sd = { key: r.key, day: dayStart, s: zero() }));
      add(sd.s, r.s);
    }
    seriesDays.push(...today.values());
    // A day wholly before the window feeds the 7-day window of byTime only.
    if (d.seriesHour.length > 0 && last < from) continue;
    for (const r of d.step) {
      let s = steps.get(r.step);
      if (!s) steps.set(r.step, (s = zero()));
      add(s, r.s);
    }
    for (const r of d.naive ?? []) {
      let s = naive.get(r.step);
      if (!s) naive.set(r.step, (s = { n: 0, model: 0, naive: NAIVE_PERIODS.map(() => 0) }));
      s.n += r.n;
      s.model += r.model;
      r.naive.forEach((v, k) => (s.naive[k] += v));
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
  const keyed = (key: readonly KeyValue[]) => Object.fromEntries(names.map((k, i) => [k, key[i]]));
  const byMape = (a: { s: Sums }, b: { s: Sums }) => (summary(b.s).mape ?? -Infinity) - (summary(a.s).mape ?? -Infinity);
  y.sort((a, b) => a.t - b.t || compareKeyArrays(a.key, b.key));
  seriesDays.sort((a, b) => compareKeyArrays(a.key, b.key) || a.day - b.day);
  return {
    byTime: table(trailingWindow(hours, from), ["datetime_utc", ...SUM, "mape_7d", "coverage_80_7d"]),
    bySeries: table(
      Array.from(series.values())
        .sort(byMape)
        .map((r) => ({ ...keyed(r.key), ...summary(r.s) })),
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
    bySeriesDay: table(
      seriesDays.map((r) => ({ ...keyed(r.key), day: r.day, ...summary(r.s) })),
      [...names, "day", ...SUM],
    ),
    vsNaive: table(
      Array.from(naive, ([step, s]) => ({
        step,
        n: s.n,
        mape: s.model / s.n,
        ...Object.fromEntries(NAIVE_PERIODS.map((p, k) => [naiveColumn(p), s.naive[k] / s.n])),
      })).sort((a, b) => a.step - b.step),
      ["step", "n", "mape", ...NAIVE_PERIODS.map(naiveColumn)],
    ),
    y: table(
      y.map((r) => ({ datetime_utc: r.t, ...keyed(r.key), energy_consumption: r.y })),
      ["datetime_utc", ...names, "energy_consumption"],
    ),
  };
}

/** Per hour with the trailing 7-day window (pooled: the MAPE sum over the count, as monitor/metrics.ts). */
function trailingWindow(hours: Map<number, Sums>, from: number): Array<Record<string, unknown>> {
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
  return rows;
}

function table(objects: Array<Record<string, unknown>>, columns: string[]): ColumnTable {
  return aq.table(Object.fromEntries(columns.map((c) => [c, objects.map((o) => o[c])]))) as ColumnTable;
}

function compareKeyArrays(a: readonly KeyValue[], b: readonly KeyValue[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    return (a[i] as number | string) < (b[i] as number | string) ? -1 : 1;
  }
  return 0;
}
