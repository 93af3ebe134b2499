import { calendarGrid, type CalendarGrid } from "./calendar-grid.js";
import type { Panel } from "./panel.js";
import { rowPlan, rowScale, seriesCodes, targetBase, writeFeatures, type RowPlan } from "./row.js";
import { calendarOf, featureNames, historyNeeded, type FeatureSpec } from "./spec.js";
import { sameTypeReach } from "./same-type.js";

/** Column-major feature matrix, the learner's input (NaN = missing). */
export interface FeatureMatrix {
  nRows: number;
  nFeatures: number;
  /** `columns[f][r]`: feature f of row r. */
  columns: Float64Array[];
  names?: string[];
}

/** Training rows of a panel: features, the scaled target, and where each row came from. */
export interface TrainingRows {
  X: FeatureMatrix;
  /** Target minus its base ({@link targetBase}), divided by the row's scale. */
  y: Float64Array;
  /** The row's scale (multiply a scaled prediction by it to get kWh). */
  scale: Float64Array;
  /** Series index (into `panel.keys`) of each row. */
  series: Int32Array;
  /** Grid index (hours since `panel.start`) of each row's target. */
  t: Int32Array;
}

/** Options of {@link buildTrainingRows}. */
export interface TrainingRowOptions {
  /**
   * First grid index used as a target: rows need this many hours of history. Default: every
   * feature defined ({@link historyNeeded}). Smaller values add early rows with missing lags.
   */
  minHistory?: number;
  /** Use only the most recent this many hours of targets (bounds memory and fit time on long histories). */
  recentHours?: number;
}

/**
 * The spec's calendar over every index the features of targets `[from, to)` read (the lagged day
 * kinds reach back before `from`).
 */
export function calendarFor(panelStart: number, spec: FeatureSpec, from: number, to: number): CalendarGrid {
  return calendarGrid(panelStart, from - Math.max(sameTypeReach(spec), ...spec.dayKindLags, ...spec.dayTypeLags), to, calendarOf(spec));
}

/**
 * Every usable training row of a panel: for each series and each hour t with enough history, a
 * finite target and base and a positive scale, the features of {@link writeFeatures} and the
 * target `(values[t] - base) / scale`. Rows are ordered by time, then series.
 */
export function buildTrainingRows(panel: Panel, spec: FeatureSpec, options: TrainingRowOptions = {}): TrainingRows {
  const plan: RowPlan = rowPlan(spec, panel.keyColumns.length);
  const codes = seriesCodes(panel.keys);
  const first = Math.max(1, options.minHistory ?? historyNeeded(spec), options.recentHours === undefined ? 0 : panel.hours - options.recentHours);
  const perSeries = Math.max(0, panel.hours - first);
  const capacity = perSeries * panel.keys.length;
  const columns = Array.from({ length: plan.nFeatures }, () => new Float64Array(capacity));
  const y = new Float64Array(capacity);
  const scale = new Float64Array(capacity);
  const series = new Int32Array(capacity);
  const t = new Int32Array(capacity);
  const cal = calendarFor(panel.start, spec, first, panel.hours);
  let r = 0;
  // Time-major order (all series at hour t, then t+1...), so the tail of the rows is the most
  // recent period: the learner's validation fraction takes it for early stopping.
  for (let i = first; i < panel.hours; i++) {
    for (let s = 0; s < panel.keys.length; s++) {
      const values = panel.values[s];
      const target = values[i];
      if (target !== target) continue;
      const sc = rowScale(spec, values, i, panel.hours);
      if (!(sc > 0)) continue;
      const base = targetBase(spec, values, i);
      if (base !== base) continue;
      writeFeatures(plan, cal, codes[s], values, i, sc, columns, r);
      y[r] = (target - base) / sc;
      scale[r] = sc;
      series[r] = s;
      t[r] = i;
      r++;
    }
  }
  const trim = <A extends Float64Array | Int32Array>(a: A): A => (r === capacity ? a : (a.slice(0, r) as A));
  return {
    X: {
      nRows: r,
      nFeatures: plan.nFeatures,
      columns: columns.map(trim),
      names: featureNames(
        spec,
        panel.keyColumns.map((k) => k.name),
      ),
    },
    y: trim(y),
    scale: trim(scale),
    series: trim(series),
    t: trim(t),
  };
}
