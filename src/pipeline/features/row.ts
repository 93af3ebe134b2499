import type { CalendarGrid } from "./calendar-grid.js";
import { keyFeature, type SeriesKey } from "../series/key.js";
import { sameTypeMeansOf, type FeatureSpec } from "./spec.js";
import { sameTypeValues } from "./same-type.js";

/** Spec-derived constants of the row builder, as typed arrays for the hot loop. */
export interface RowPlan {
  spec: FeatureSpec;
  lags: Int32Array;
  means: Int32Array;
  stds: Int32Array;
  dayKindLags: Int32Array;
  dayTypeLags: Int32Array;
  /** {@link FeatureSpec.sameTypeMeans}, and room for the values they average. */
  sameTypeMeans: Int32Array;
  sameTypeBuffer: Float64Array;
  /** Number of key columns (one identity feature each when `spec.seriesCodes`). */
  nKeys: number;
  nFeatures: number;
}

/** Prepares a {@link RowPlan} for `spec` and `nKeys` key columns (its feature count matches `featureNames(spec, keys)`). */
export function rowPlan(spec: FeatureSpec, nKeys: number): RowPlan {
  const nFeatures =
    spec.lags.length +
    spec.rollingMeans.length +
    spec.rollingStds.length +
    3 +
    spec.dayKindLags.length +
    (spec.dayType ? 1 : 0) +
    spec.dayTypeLags.length +
    (spec.seriesCodes ? nKeys : 0) +
    (spec.logScale ? 1 : 0) +
    sameTypeMeansOf(spec).length;
  return {
    spec,
    lags: Int32Array.from(spec.lags),
    means: Int32Array.from(spec.rollingMeans),
    stds: Int32Array.from(spec.rollingStds),
    dayKindLags: Int32Array.from(spec.dayKindLags),
    dayTypeLags: Int32Array.from(spec.dayTypeLags),
    sameTypeMeans: Int32Array.from(sameTypeMeansOf(spec)),
    sameTypeBuffer: new Float64Array(Math.max(0, ...sameTypeMeansOf(spec))),
    nKeys,
    nFeatures,
  };
}

/**
 * The scale of series `values` at grid index `t`: the mean of the finite values among the
 * `window` hours before t (indices t-window .. t-1). NaN when none is finite.
 */
export function scaleAt(values: Float64Array, t: number, window: number): number {
  let sum = 0;
  let count = 0;
  for (let i = Math.max(0, t - window); i < t; i++) {
    const v = values[i];
    if (v === v) {
      sum += v;
      count++;
    }
  }
  return count > 0 ? sum / count : NaN;
}

/**
 * The divisor of series `values` for the row at grid index `t`, when the observed history has
 * `observed` hours (later entries, if any, are the model's own predictions). `rolling`: the mean
 * of the `scaleWindow` hours before t. `origin`: the mean of the last `scaleWindow` observed hours,
 * one scale for every row of the series (what the reference did).
 */
export function rowScale(spec: FeatureSpec, values: Float64Array, t: number, observed: number): number {
  return scaleAt(values, spec.scaling === "origin" ? observed : t, spec.scaleWindow);
}

/**
 * What the target is measured from at grid index t: 0, or the value `spec.baseLag` hours before
 * (NaN when that hour is missing or before the start). Training and forecasting both use it:
 * target = (y - base) / scale, forecast = base + scale * prediction.
 */
export function targetBase(spec: FeatureSpec, values: Float64Array, t: number): number {
  if (spec.baseLag === 0) return 0;
  const i = t - spec.baseLag;
  return i >= 0 ? values[i] : NaN;
}

/** The numeric identity features of each series' key ({@link keyFeature}), computed once per panel. */
export function seriesCodes(keys: readonly SeriesKey[]): Float64Array[] {
  return keys.map((k) => Float64Array.from(k, keyFeature));
}

/**
 * THE feature function: training rows and every forecast step go through it, so training and
 * serving cannot skew. Writes the feature vector of a series (identity features `codes`, from
 * {@link seriesCodes}) at grid index `t`
 * into row `r` of the column-major `columns` (`columns[f][r]`), reading only `values[0..t-1]`
 * (during recursion, the tail of `values` holds the model's own earlier predictions; for a direct
 * model, the hours after the origin are missing, in training rows as in forecasts), dividing
 * every level feature by `scale` (from {@link rowScale}).
 *
 * Windows are means over the finite values they contain; a lag before the start is NaN (the
 * learner treats NaN as missing).
 */
export function writeFeatures(
  plan: RowPlan,
  cal: CalendarGrid,
  codes: ArrayLike<number>,
  values: Float64Array,
  t: number,
  scale: number,
  columns: Float64Array[],
  r: number,
): void {
  const spec = plan.spec;
  const inv = 1 / scale;
  let f = 0;
  const lags = plan.lags;
  for (let j = 0; j < lags.length; j++) {
    const i = t - lags[j];
    columns[f++][r] = i >= 0 ? values[i] * inv : NaN;
  }
  const means = plan.means;
  for (let j = 0; j < means.length; j++) {
    const w = means[j];
    let sum = 0;
    let count = 0;
    for (let i = Math.max(0, t - w); i < t; i++) {
      const v = values[i];
      if (v === v) {
        sum += v;
        count++;
      }
    }
    columns[f++][r] = count > 0 ? (sum / count) * inv : NaN;
  }
  const stds = plan.stds;
  for (let j = 0; j < stds.length; j++) {
    const w = stds[j];
    let sum = 0;
    let count = 0;
    const lo = Math.max(0, t - w);
    for (let i = lo; i < t; i++) {
      const v = values[i];
      if (v === v) {
        sum += v;
        count++;
      }
    }
    let sq = 0;
    if (count > 1) {
      const mean = sum / count;
      for (let i = lo; i < t; i++) {
        const v = values[i];
        if (v === v) sq += (v - mean) * (v - mean);
      }
    }
    // Sample standard deviation (ddof 1), as pandas' rolling std the reference used.
    columns[f++][r] = count > 1 ? Math.sqrt(sq / (count - 1)) * inv : NaN;
  }
  const same = plan.sameTypeMeans;
  if (same.length > 0) {
    const found = sameTypeValues(cal, values, t, 1, t, plan.sameTypeBuffer);
    let sum = 0;
    let n = 0;
    for (let j = 0; j < same.length; j++) {
      // Fewer such days than asked: the mean of those found (NaN when none).
      const upto = Math.min(same[j], found);
      while (n < upto) sum += plan.sameTypeBuffer[n++];
      columns[f++][r] = n > 0 ? (sum / n) * inv : NaN;
    }
  }
  const c = t - cal.from;
  columns[f++][r] = cal.hour[c];
  columns[f++][r] = cal.weekday[c];
  columns[f++][r] = cal.kind[c];
  const dk = plan.dayKindLags;
  for (let j = 0; j < dk.length; j++) columns[f++][r] = cal.kind[c - dk[j]];
  if (spec.dayType) columns[f++][r] = cal.type[c];
  const dt = plan.dayTypeLags;
  for (let j = 0; j < dt.length; j++) columns[f++][r] = cal.type[c - dt[j]];
  if (spec.seriesCodes) for (let k = 0; k < plan.nKeys; k++) columns[f++][r] = codes[k];
  if (spec.logScale) columns[f++][r] = Math.log10(scale);
}
