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
  /**
   * Rows as a direct model of horizon steps `from`..`to` sees them (models/direct-gbm.ts): the row
   * of a target hour for step h hides the h - 1 hours before it (NaN), which its origin, h hours
   * earlier, does not know yet. `rows: "every"` writes a row per step of the block; `"one"` writes one
   * row per target hour, for a step that cycles with the hour and the series (as many rows as
   * the recursive model's). Default: step 1, nothing hidden: the recursive model's rows.
   */
  steps?: StepRows;
}

/** Which steps of the horizon training rows stand for ({@link TrainingRowOptions.steps}). */
export interface StepRows {
  /** First and last step (1-based, inclusive). */
  from: number;
  to: number;
  rows: "every" | "one";
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
  const steps = options.steps ?? { from: 1, to: 1, rows: "one" };
  const width = steps.to - steps.from + 1;
  const capacity = perSeries * panel.keys.length * (steps.rows === "every" ? width : 1);
  // The series with hours hidden in turn (restored after each row); the panel itself is never written.
  const hides = steps.to > 1;
  const work = hides ? panel.values.map((v) => Float64Array.from(v)) : panel.values;
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
      const target = panel.values[s][i];
      if (target !== target) continue;
      // No array per row: this loop builds every training row of the recursive model too.
      const lo = steps.rows === "every" ? steps.from : steps.from + ((i + s) % width);
      const hi = steps.rows === "every" ? steps.to : lo;
      for (let h = lo; h <= hi; h++) {
        const values = work[s];
        if (hides) for (let k = Math.max(0, i - h + 1); k < i; k++) values[k] = NaN;
        const sc = rowScale(spec, values, i, panel.hours);
        const base = targetBase(spec, values, i);
        if (sc > 0 && base === base) {
          writeFeatures(plan, cal, codes[s], values, i, sc, columns, r);
          y[r] = (target - base) / sc;
          scale[r] = sc;
          series[r] = s;
          t[r] = i;
          r++;
        }
        if (hides) values.set(panel.values[s].subarray(Math.max(0, i - h + 1), i), Math.max(0, i - h + 1));
      }
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
