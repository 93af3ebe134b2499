/**
 * The live forecasts next to the seasonal-naive rules on the same hours: per horizon step, the
 * model's absolute percentage errors beside those of "the same hour a day earlier" (24 h) and "the
 * same hour a week earlier" (168 h). Scored per target day with the rest of the day's sums
 * (monitor/incremental.ts), so the report reads them instead of joining forecasts to truth again.
 *
 * Only the model's own forecasts count (new series forecast by the baseline are not the model's),
 * only steps up to the shortest period (both rules are known at the origin for those), and only
 * hours where the truth is non-zero and both rules have a measured value.
 */
import type { ColumnTable } from "arquero";
import type { FeatureStore } from "../featurestore/store.js";
import { BASELINE_MODEL } from "../predict/predict.js";
import { keyNames, rowSeriesIds, type KeyColumn } from "../series/key.js";
import { HOUR_MS } from "../time/index.js";
import { NAIVE_PERIODS } from "./schema.js";

/** One step's sums: forecasts compared, the model's APE sum, and each rule's (in NAIVE_PERIODS order). */
export interface NaiveStepSums {
  step: number;
  n: number;
  model: number;
  naive: number[];
}

/** Measured values of hours in [start, start + hours h) by series id; NaN where nothing was measured. */
type HourValues = Map<string, Float64Array>;

async function hourValues(store: FeatureStore, keys: readonly KeyColumn[], start: number, hours: number): Promise<HourValues> {
  const truth = await store.read({ start, end: start + hours * HOUR_MS });
  const n = truth.numRows();
  const ids = rowSeriesIds(
    keyNames(keys).map((k) => truth.array(k) as ArrayLike<unknown>),
    n,
  );
  const t = truth.array("datetime_utc") as ArrayLike<number>;
  const v = truth.array("energy_consumption") as ArrayLike<number | null>;
  const out: HourValues = new Map();
  for (let i = 0; i < n; i++) {
    let values = out.get(ids[i]);
    if (!values) out.set(ids[i], (values = new Float64Array(hours).fill(NaN)));
    values[(t[i] - start) / HOUR_MS] = v[i] ?? NaN;
  }
  return out;
}

/**
 * The per-step sums of the scored forecasts of one target day (rows of {@link joinActuals}, target
 * hours in [dayStart, dayStart + `hours` h)), reading from `store` the measured values each rule
 * forecast with. Steps without a compared forecast are left out.
 */
export async function naiveStepSums(
  store: FeatureStore,
  keys: readonly KeyColumn[],
  scored: ColumnTable,
  dayStart: number,
  hours: number,
): Promise<NaiveStepSums[]> {
  const n = scored.numRows();
  const maxStep = Math.min(...NAIVE_PERIODS);
  const step = scored.array("step") as ArrayLike<number>;
  const model = scored.array("model") as ArrayLike<string>;
  const y = scored.array("y") as ArrayLike<number>;
  const p = scored.array("prediction") as ArrayLike<number>;
  const t = scored.array("datetime_utc") as ArrayLike<number>;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    if (model[i] !== BASELINE_MODEL && step[i] <= maxStep && Number.isFinite(y[i]) && y[i] !== 0) rows.push(i);
  }
  if (rows.length === 0) return [];
  const ids = rowSeriesIds(
    keyNames(keys).map((k) => scored.array(k) as ArrayLike<unknown>),
    n,
  );
  // Only the hours each rule looks back to: one day per period, not the week in between.
  const lagged: HourValues[] = [];
  for (const period of NAIVE_PERIODS) lagged.push(await hourValues(store, keys, dayStart - period * HOUR_MS, hours));
  const sums = new Map<number, NaiveStepSums>();
  for (const i of rows) {
    const hour = (t[i] - dayStart) / HOUR_MS;
    const naive = lagged.map((values) => values.get(ids[i])?.[hour] ?? NaN);
    if (!naive.every(Number.isFinite)) continue;
    let s = sums.get(step[i]);
    if (!s) sums.set(step[i], (s = { step: step[i], n: 0, model: 0, naive: NAIVE_PERIODS.map(() => 0) }));
    s.n++;
    s.model += Math.abs((y[i] - p[i]) / y[i]);
    naive.forEach((v, k) => (s.naive[k] += Math.abs((y[i] - v) / y[i])));
  }
  return Array.from(sums.values()).sort((a, b) => a.step - b.step);
}
