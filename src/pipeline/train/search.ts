import { ConfigError } from "../core/errors.js";
import type { GbmParams } from "../models/gbm/index.js";
import { Rng } from "../models/gbm/prng.js";

/** Candidate learner settings of a hyperparameter search (only the overridden ones). */
export type Trial = Partial<GbmParams>;

/** The search space: each parameter's candidate values. */
export type SearchSpace = Partial<Record<keyof GbmParams, number[]>>;

/**
 * The default search space, around the reference's sweep (learning rate, leaves, rounds, minimum
 * leaf size), kept small so a search fits a scheduled job.
 */
export const DEFAULT_SEARCH_SPACE: SearchSpace = {
  learningRate: [0.05, 0.1],
  maxLeaves: [15, 31],
  nIterations: [200, 400],
  minSamplesLeaf: [20, 50],
};

/** Every combination of the space, in a stable order (first parameter varies slowest). */
export function gridTrials(space: SearchSpace): Trial[] {
  let trials: Trial[] = [{}];
  for (const [name, values] of Object.entries(space) as Array<[keyof GbmParams, number[]]>) {
    if (!values || values.length === 0) throw new ConfigError(`search space parameter ${String(name)} has no values`);
    trials = trials.flatMap((t) => values.map((v) => ({ ...t, [name]: v })));
  }
  return trials;
}

/**
 * `count` distinct combinations drawn from the grid with a seeded generator (mulberry32), so the
 * same seed always tries the same settings.
 */
export function randomTrials(space: SearchSpace, count: number, seed: number): Trial[] {
  const grid = gridTrials(space);
  if (!Number.isInteger(count) || count < 1) throw new ConfigError(`--trials must be an integer >= 1, got ${count}`);
  const rng = new Rng(seed);
  // Partial Fisher-Yates: the first `count` entries of a seeded shuffle.
  for (let i = 0; i < Math.min(count, grid.length); i++) {
    const j = i + rng.nextInt(grid.length - i);
    [grid[i], grid[j]] = [grid[j], grid[i]];
  }
  return grid.slice(0, Math.min(count, grid.length));
}
