/**
 * Histogram gradient-boosting regressor (LightGBM's algorithm), the learner of the forecasting
 * engine. See fit.ts for the boosting loop and the module comments for each part.
 */
export { fitGbm, type GbmFitOptions, type GbmIterationInfo } from "./fit.js";
export { GbmModel, type GbmStopReason, type GbmTrainingSummary } from "./model.js";
export { DEFAULT_GBM_PARAMS, resolveGbmParams, type GbmParams } from "./params.js";
export { featureMatrixFromRows, type FeatureColumn, type FeatureMatrix } from "./matrix.js";
export { GBM_FORMAT, GBM_FORMAT_VERSION, type GbmModelJson, type GbmTreeJson } from "./serialize.js";
export { GbmTree } from "./tree.js";
export { Rng, deriveSeed } from "./prng.js";
