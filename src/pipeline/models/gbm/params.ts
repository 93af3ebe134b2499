/**
 * Hyper-parameters of the gradient-boosting learner, their defaults (LightGBM's, where LightGBM
 * has one) and their validation.
 */
import { ConfigError } from "../../core/errors.js";

/** Hyper-parameters of {@link fitGbm}. Names follow scikit-learn/LightGBM meaning. */
export interface GbmParams {
  /** Boosting rounds (trees), before early stopping. */
  nIterations: number;
  /** Shrinkage applied to every leaf value. */
  learningRate: number;
  /** Maximum leaves per tree (LightGBM `num_leaves`); trees grow best-first up to it. */
  maxLeaves: number;
  /** Maximum depth of a leaf (root = 0, so 1 gives stumps); -1 means unlimited. */
  maxDepth: number;
  /** Minimum rows in each child of a split (LightGBM `min_data_in_leaf`). */
  minSamplesLeaf: number;
  /** Minimum hessian sum in each child (LightGBM `min_sum_hessian_in_leaf`); with squared error the hessian is 1 per row. */
  minHessianLeaf: number;
  /** L2 regularisation of leaf values (LightGBM `lambda_l2`). */
  l2: number;
  /** A split must gain strictly more than this (LightGBM `min_gain_to_split`). */
  minGainToSplit: number;
  /** Maximum value bins per feature, 2..255; missing values get one extra bin of their own. */
  maxBins: number;
  /** Fraction of rows used per tree (LightGBM `bagging_fraction`); 1 disables bagging. */
  rowSubsample: number;
  /** Draw a new row sample every this many iterations (LightGBM `bagging_freq`). */
  baggingFrequency: number;
  /** Fraction of features a tree may split on (LightGBM `feature_fraction`, drawn per tree). */
  featureSubsample: number;
  /** Rows sampled to place bin edges when the training set is larger (LightGBM `bin_construct_sample_cnt`). */
  binSampleSize: number;
  /** Stop when the validation loss has not improved for this many rounds; needs validation data. */
  earlyStoppingRounds?: number;
  /** Take the last fraction of the (time-ordered) training rows as the validation set. */
  validationFraction?: number;
  /** Seed of every random choice (bagging, feature sampling, binning sample). */
  seed: number;
}

/** Defaults: LightGBM's, except where a comment says otherwise. */
export const DEFAULT_GBM_PARAMS: GbmParams = Object.freeze({
  nIterations: 100,
  learningRate: 0.1,
  maxLeaves: 31,
  maxDepth: -1,
  minSamplesLeaf: 20,
  minHessianLeaf: 1e-3,
  l2: 0,
  minGainToSplit: 0,
  maxBins: 255,
  rowSubsample: 1,
  baggingFrequency: 1,
  featureSubsample: 1,
  binSampleSize: 200_000,
  seed: 0,
}) as GbmParams;

const KNOWN_KEYS = new Set<string>([
  "nIterations",
  "learningRate",
  "maxLeaves",
  "maxDepth",
  "minSamplesLeaf",
  "minHessianLeaf",
  "l2",
  "minGainToSplit",
  "maxBins",
  "rowSubsample",
  "baggingFrequency",
  "featureSubsample",
  "binSampleSize",
  "earlyStoppingRounds",
  "validationFraction",
  "seed",
]);

type Check = (value: number) => boolean;
const isInt: Check = (v) => Number.isInteger(v);

function check(name: string, value: unknown, ok: Check, expected: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    throw new ConfigError(`gbm parameter ${name} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/**
 * Merges `overrides` over {@link DEFAULT_GBM_PARAMS} and validates every value.
 * Throws {@link ConfigError} naming the first bad parameter (unknown keys included, to catch typos).
 */
export function resolveGbmParams(overrides: Partial<GbmParams> = {}): GbmParams {
  for (const key of Object.keys(overrides)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new ConfigError(`unknown gbm parameter "${key}"; known parameters: ${[...KNOWN_KEYS].join(", ")}`);
    }
  }
  const merged: Record<string, unknown> = { ...DEFAULT_GBM_PARAMS };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  const p: GbmParams = {
    nIterations: check("nIterations", merged.nIterations, (v) => isInt(v) && v >= 0, "an integer >= 0"),
    learningRate: check("learningRate", merged.learningRate, (v) => v > 0, "a number > 0"),
    maxLeaves: check("maxLeaves", merged.maxLeaves, (v) => isInt(v) && v >= 2, "an integer >= 2"),
    maxDepth: check("maxDepth", merged.maxDepth, (v) => isInt(v) && (v === -1 || v >= 1), "-1 (unlimited) or an integer >= 1"),
    minSamplesLeaf: check("minSamplesLeaf", merged.minSamplesLeaf, (v) => isInt(v) && v >= 1, "an integer >= 1"),
    minHessianLeaf: check("minHessianLeaf", merged.minHessianLeaf, (v) => v >= 0, "a number >= 0"),
    l2: check("l2", merged.l2, (v) => v >= 0, "a number >= 0"),
    minGainToSplit: check("minGainToSplit", merged.minGainToSplit, (v) => v >= 0, "a number >= 0"),
    maxBins: check("maxBins", merged.maxBins, (v) => isInt(v) && v >= 2 && v <= 255, "an integer in 2..255"),
    rowSubsample: check("rowSubsample", merged.rowSubsample, (v) => v > 0 && v <= 1, "a number in (0, 1]"),
    baggingFrequency: check("baggingFrequency", merged.baggingFrequency, (v) => isInt(v) && v >= 1, "an integer >= 1"),
    featureSubsample: check("featureSubsample", merged.featureSubsample, (v) => v > 0 && v <= 1, "a number in (0, 1]"),
    binSampleSize: check("binSampleSize", merged.binSampleSize, (v) => isInt(v) && v >= 2, "an integer >= 2"),
    seed: check("seed", merged.seed, (v) => isInt(v), "an integer"),
  };
  if (merged.earlyStoppingRounds !== undefined) {
    p.earlyStoppingRounds = check("earlyStoppingRounds", merged.earlyStoppingRounds, (v) => isInt(v) && v >= 1, "an integer >= 1");
  }
  if (merged.validationFraction !== undefined) {
    p.validationFraction = check("validationFraction", merged.validationFraction, (v) => v > 0 && v < 1, "a number in (0, 1)");
  }
  return p;
}
