import { ConfigError, PipelineError } from "../core/errors.js";
import { DEFAULT_FEATURE_SPEC } from "../features/spec.js";
import { BlendForecaster } from "./blend.js";
import { FORECASTER_FORMAT, FORECASTER_FORMAT_VERSION, type Forecaster, type ForecasterJson } from "./forecaster.js";
import { GbmForecaster, type GbmForecasterOptions } from "./gbm-forecaster.js";
import type { GbmParams } from "./gbm/index.js";
import { MODEL_NAMES } from "./names.js";
import { SeasonalNaive } from "./seasonal-naive.js";

/**
 * Learner settings of the global model: 200 rounds at learning rate 0.1 (the reference: 600 at
 * 0.05), 31 leaves, 63 bins, LightGBM's other defaults. Backtests showed no accuracy difference
 * between 63 and 255 bins, 0.1 and 0.05, bagging or not; 63 bins halve the fit time.
 */
export const DEFAULT_GBM_SETTINGS: Partial<GbmParams> = Object.freeze({
  nIterations: 200,
  learningRate: 0.1,
  maxLeaves: 31,
  minSamplesLeaf: 20,
  maxBins: 63,
  seed: 0,
});

/** The global model's settings: the default features and learner, with optional learner overrides. */
export function defaultGbmOptions(name = "gbm", gbm: Partial<GbmParams> = {}): GbmForecasterOptions {
  return { name, features: DEFAULT_FEATURE_SPEC, gbm: { ...DEFAULT_GBM_SETTINGS, ...gbm } };
}

/** How to build each of {@link MODEL_NAMES} (names.ts; a test keeps the two in step). */
export const FACTORIES: Readonly<Record<string, (gbm: Partial<GbmParams>) => Forecaster>> = {
  "seasonal-naive-24": () => new SeasonalNaive(24),
  "seasonal-naive-168": () => new SeasonalNaive(168),
  gbm: (gbm) => new GbmForecaster(defaultGbmOptions("gbm", gbm)),
  // Equal weights (the robust default for combining forecasts); the seasonal naive steps aside for
  // hours whose day last week was of another kind (a holiday before or after).
  "gbm-blend": (gbm) =>
    new BlendForecaster("gbm-blend", [new GbmForecaster(defaultGbmOptions("gbm", gbm)), new SeasonalNaive(168)], [0.5, 0.5], {
      seasonal: [{ member: 1, lag: 168 }],
    }),
};

/**
 * A fresh, unfitted model by name, with optional learner settings for its gradient-boosting part
 * (models without one ignore them); throws a {@link ConfigError} listing the known names.
 */
export function createForecaster(name: string, gbm: Partial<GbmParams> = {}): Forecaster {
  const make = FACTORIES[name];
  if (!make) throw new ConfigError(`unknown model "${name}"; known models: ${MODEL_NAMES.join(", ")}`);
  return make(gbm);
}

/**
 * Rebuilds a model from its JSON (as {@link Forecaster.toJSON} wrote it). Throws a PipelineError
 * for another format, a newer format version or an unknown kind: never a silent fallback.
 */
export function loadForecaster(json: unknown): Forecaster {
  const j = json as ForecasterJson | null;
  if (j === null || typeof j !== "object" || j.format !== FORECASTER_FORMAT) {
    throw new PipelineError(
      "model",
      `not a saved forecaster: expected format "${FORECASTER_FORMAT}", got ${JSON.stringify((j as { format?: unknown } | null)?.format)}`,
    );
  }
  if (j.version !== FORECASTER_FORMAT_VERSION) {
    throw new PipelineError(
      "model",
      `forecaster "${j.name}" has format version ${j.version}, this code reads version ${FORECASTER_FORMAT_VERSION}; retrain it or use a matching version of the code`,
    );
  }
  switch (j.kind) {
    case "seasonal-naive":
      return SeasonalNaive.fromJSON(j);
    case "gbm":
      return GbmForecaster.fromJSON(j);
    case "blend":
      return BlendForecaster.fromJSON(j, loadForecaster);
    default:
      throw new PipelineError("model", `forecaster "${j.name}" is of unknown kind "${j.kind}"; known kinds: seasonal-naive, gbm, blend`);
  }
}
