/**
 * The catalog's model names, apart from the models themselves: settings and the CLI's help name
 * the models without loading any learner (catalog.ts builds them, and a test keeps both in step).
 */

/** Every model the catalog can build, in the order `backtest` reports them. */
export const MODEL_NAMES: readonly string[] = Object.freeze([
  "seasonal-naive-24",
  "seasonal-naive-168",
  "gbm",
  "gbm-blend",
  "gbm-blend-direct",
  "gbm-auto",
  "gbm-choice",
]);

/**
 * What `backtest` runs without `--models`: every model but the opt-in experiments (`gbm-auto`
 * costs about twice the default's backtest time and loses around unseen holidays;
 * bench/auto/README.md; `gbm-choice` also fits twice per origin; `gbm-blend-direct` fits four
 * global models).
 */
export const BACKTEST_MODELS: readonly string[] = Object.freeze(
  MODEL_NAMES.filter((name) => name !== "gbm-auto" && name !== "gbm-choice" && name !== "gbm-blend-direct"),
);

/** The default model (MODEL_NAME): the global GBM blended with the seasonal naive of last week. */
export const DEFAULT_MODEL = "gbm-blend";
