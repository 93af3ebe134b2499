import { createForecaster } from "../models/catalog.js";
import type { Forecaster } from "../models/forecaster.js";
import type { Trial } from "./search.js";

/**
 * A factory of fresh forecasters of catalog model `name` with a trial's learner settings
 * (models without a gradient-boosting part ignore the trial). Fails fast on an unknown name.
 */
export function forecasterFactory(name: string): (trial: Trial) => Forecaster {
  createForecaster(name);
  return (trial) => createForecaster(name, trial);
}
