import { PipelineError } from "../core/errors.js";

/**
 * Choosing combination weights per horizon step from forecasts whose actuals are known (inner
 * folds). For each step, the weight vector on a simplex grid with the lowest absolute percentage
 * error pooled over the folds' points of the steps within `window` of it (neighbouring steps
 * share their evidence: one step alone holds one point per series and fold), then shrunk toward
 * equal weights, since weights fitted on a few days overfit them.
 */

/** Settings of {@link chooseStepWeights}. */
export interface StepWeightOptions {
  /** Steps to choose weights for (1..horizon). */
  horizon: number;
  /** Grid spacing of each weight: 1 / `gridSteps` (10: weights 0, 0.1, ..., 1). */
  gridSteps: number;
  /** Steps on each side whose points also count for a step's choice. */
  window: number;
  /** Fraction of the way back to equal weights (0: the grid's best as it is, 1: equal weights). */
  shrink: number;
  /**
   * The weight vectors to choose from, in order of preference on a tie (default: every vector of
   * the simplex grid). A few named candidates (a model alone, a fixed blend) make the choice one
   * of models rather than of weights.
   */
  candidates?: readonly (readonly number[])[];
}

/** One inner fold: each member's forecast and the actuals, in a forecast's layout (`s * horizon + step - 1`). */
export interface WeightFold {
  members: ArrayLike<number>[];
  actual: ArrayLike<number>;
}

/** Every weight vector of `m` members whose entries are multiples of 1 / `steps` summing to 1. */
export function simplexGrid(m: number, steps: number): number[][] {
  if (!Number.isInteger(m) || m < 1) throw new PipelineError("model", `simplexGrid: members must be an integer >= 1, got ${m}`);
  if (!Number.isInteger(steps) || steps < 1) throw new PipelineError("model", `simplexGrid: steps must be an integer >= 1, got ${steps}`);
  const out: number[][] = [];
  const walk = (prefix: number[], left: number) => {
    if (prefix.length === m - 1) {
      out.push([...prefix, left].map((k) => k / steps));
      return;
    }
    for (let k = 0; k <= left; k++) walk([...prefix, k], left - k);
  };
  walk([], steps);
  return out;
}

/** Summed absolute percentage errors of each weight vector at each step, and the points counted per step. */
interface StepErrors {
  /** `err[step][g]`: summed absolute percentage error of vector g at that step (0-based). */
  err: Float64Array[];
  count: Float64Array;
}

/** A point counts when its actual is positive and every member's forecast is finite. */
function stepErrors(folds: readonly WeightFold[], m: number, grid: readonly (readonly number[])[], horizon: number): StepErrors {
  if (grid.some((w) => w.length !== m)) throw new PipelineError("model", `step weights: every candidate needs ${m} weights, got ${JSON.stringify(grid)}`);
  const err = Array.from({ length: horizon }, () => new Float64Array(grid.length));
  const count = new Float64Array(horizon);
  for (const fold of folds) {
    if (fold.members.length !== m) throw new PipelineError("model", `step weights: a fold has ${fold.members.length} member forecasts, expected ${m}`);
    const f = new Float64Array(m);
    for (let i = 0; i < fold.actual.length; i++) {
      const y = fold.actual[i];
      const step = i % horizon;
      if (!(y > 0) || !Number.isFinite(y)) continue;
      let ok = true;
      for (let k = 0; k < m; k++) {
        f[k] = fold.members[k][i];
        if (!Number.isFinite(f[k])) ok = false;
      }
      if (!ok) continue;
      count[step]++;
      const e = err[step];
      for (let g = 0; g < grid.length; g++) {
        const w = grid[g];
        let yhat = 0;
        for (let k = 0; k < m; k++) yhat += w[k] * f[k];
        e[g] += Math.abs(y - yhat) / y;
      }
    }
  }
  return { err, count };
}

/**
 * Per-step weights (`result[step - 1][member]`, each row summing to 1) for `m` members from
 * `folds`. A point counts when its actual is positive and every member's forecast is finite.
 * With no usable point at all, every step gets equal weights (the first candidate, when candidates
 * are given).
 */
export function chooseStepWeights(folds: readonly WeightFold[], m: number, options: StepWeightOptions): number[][] {
  const { horizon, gridSteps, window, shrink } = options;
  if (!(shrink >= 0 && shrink <= 1)) throw new PipelineError("model", `step weights: shrink must be in 0..1, got ${shrink}`);
  if (!Number.isInteger(window) || window < 0) throw new PipelineError("model", `step weights: window must be an integer >= 0, got ${window}`);
  const grid = options.candidates ?? simplexGrid(m, gridSteps);
  const { err, count } = stepErrors(folds, m, grid, horizon);
  const equal = Array<number>(m).fill(1 / m);
  const fallback = options.candidates?.[0] ?? equal;
  const out: number[][] = [];
  for (let step = 0; step < horizon; step++) {
    const pooled = new Float64Array(grid.length);
    let n = 0;
    for (let k = Math.max(0, step - window); k <= Math.min(horizon - 1, step + window); k++) {
      n += count[k];
      for (let g = 0; g < grid.length; g++) pooled[g] += err[k][g];
    }
    if (n === 0) {
      out.push(fallback.slice());
      continue;
    }
    let best = 0;
    for (let g = 1; g < grid.length; g++) if (pooled[g] < pooled[best]) best = g;
    out.push(grid[best].map((w, k) => (1 - shrink) * w + shrink * equal[k]));
  }
  return out;
}

/**
 * The MAPE of each candidate weight vector over every step of `folds` (the evidence a choice
 * among them rests on, for the record); NaN without a usable point.
 */
export function candidateScores(folds: readonly WeightFold[], m: number, candidates: readonly (readonly number[])[], horizon: number): number[] {
  const { err, count } = stepErrors(folds, m, candidates, horizon);
  const n = count.reduce((a, b) => a + b, 0);
  return candidates.map((_, g) => (n > 0 ? err.reduce((sum, e) => sum + e[g], 0) / n : NaN));
}
