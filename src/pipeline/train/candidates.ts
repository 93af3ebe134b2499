import { createForecaster } from "../models/catalog.js";
import type { Forecaster } from "../models/forecaster.js";
import { GbmForecaster } from "../models/gbm-forecaster.js";
import { BlendForecaster } from "../models/blend.js";
import type { Trial } from "./search.js";

/**
 * A factory of fresh forecasters of catalog model `name` with a trial's learner settings applied
 * to its gradient-boosting part (models without one ignore the trial).
 */
export function forecasterFactory(name: string): (trial: Trial) => Forecaster {
  createForecaster(name); // fail fast on an unknown name
  return (trial) => withLearnerSettings(createForecaster(name), trial);
}

function withLearnerSettings(f: Forecaster, trial: Trial): Forecaster {
  if (f instanceof GbmForecaster) return new GbmForecaster({ ...f.options, gbm: { ...f.options.gbm, ...trial } });
  if (f instanceof BlendForecaster) return new BlendForecaster(f.name, f.members.map((m) => withLearnerSettings(m, trial)), f.weights);
  return f;
}
