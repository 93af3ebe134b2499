import { PipelineError } from "../core/errors.js";
import type { Panel } from "../features/panel.js";
import type { Calibration } from "./conformal.js";
import type { Forecast } from "./forecast.js";

/** Format tag and version of every serialised forecaster. */
export const FORECASTER_FORMAT = "energy-forecast/forecaster";
export const FORECASTER_FORMAT_VERSION = 1;

/** The JSON every forecaster serialises to; `kind` selects the loader, the rest is the model's. */
export interface ForecasterJson {
  format: typeof FORECASTER_FORMAT;
  version: number;
  kind: string;
  name: string;
  calibration?: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * A forecasting model over a panel of hourly series. `fit` learns from the history up to its
 * last hour; `forecast` predicts the `horizon` hours after the last hour of `history` (default:
 * the history it was fitted on) for every series in it, with conformal intervals when
 * `calibration` is set.
 */
export interface Forecaster {
  /** The name the CLI and the loader know the model by, e.g. `seasonal-naive-168`. */
  readonly name: string;
  /** Relative-residual quantiles for the intervals; undefined leaves the bounds NaN. */
  calibration: Calibration | undefined;
  /** Observed hours a series needs for this model's full forecast (a newer series gets a baseline until then). */
  readonly historyHours?: number;
  /**
   * Hours before the origin its forecasts read at most. Prediction hands it at least this much
   * history whatever LOOKBACK_DAYS says: a shorter window would give it other inputs than training
   * did (fewer same-type days, say). Default: {@link Forecaster.historyHours}.
   */
  readonly reachHours?: number;
  fit(history: Panel): void;
  forecast(horizon: number, history?: Panel): Forecast;
  toJSON(): ForecasterJson;
}

/** Hours of history before the origin `model`'s forecasts read at most ({@link Forecaster.reachHours}). */
export function reachOf(model: Forecaster): number {
  return model.reachHours ?? model.historyHours ?? 0;
}

/** The history to forecast from: the argument, else what the model was fitted on, else an error. */
export function historyFor(name: string, given: Panel | undefined, fitted: Panel | undefined): Panel {
  const h = given ?? fitted;
  if (!h) throw new PipelineError("model", `${name} has no history to forecast from; call fit() first or pass the recent history to forecast()`);
  return h;
}

/** Throws unless `horizon` is an integer >= 1. */
export function checkHorizon(name: string, horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1) throw new PipelineError("model", `${name}: horizon must be an integer number of hours >= 1, got ${horizon}`);
}
