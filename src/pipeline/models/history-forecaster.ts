import type { Panel } from "../features/panel.js";
import { panelEnd } from "../features/panel.js";
import { applyCalibration, calibrationToJSON, type Calibration } from "./conformal.js";
import { emptyForecast, type Forecast } from "./forecast.js";
import { checkHorizon, FORECASTER_FORMAT, FORECASTER_FORMAT_VERSION, historyFor, type Forecaster, type ForecasterJson } from "./forecaster.js";

/**
 * What the models that learn nothing but a calibration share (seasonal, level and profile naive):
 * `fit` keeps the history, `forecast` checks the horizon, picks the history and calibrates the
 * points {@link HistoryForecaster.points} writes, and the JSON is their settings plus the
 * calibration. A subclass says only how it forecasts and what it is made of.
 */
export abstract class HistoryForecaster implements Forecaster {
  abstract readonly name: string;
  /** The loader's `kind` in the JSON (models/catalog.ts). */
  protected abstract readonly kind: string;
  abstract readonly historyHours: number;
  calibration: Calibration | undefined;
  private history: Panel | undefined;

  fit(history: Panel): void {
    this.history = history;
  }

  forecast(horizon: number, history?: Panel): Forecast {
    checkHorizon(this.name, horizon);
    const h = historyFor(this.name, history, this.history);
    const out = emptyForecast(panelEnd(h), horizon, h);
    this.points(h, horizon, out.point);
    return this.calibration ? applyCalibration(out, this.calibration) : out;
  }

  /** Writes the point forecast of every series of `history` for `horizon` hours (`s * horizon + step - 1`); NaN where it has none. */
  protected abstract points(history: Panel, horizon: number, point: Float64Array): void;

  /** The constructor's arguments as the JSON stores them (after `format`, `version`, `kind` and `name`). */
  protected abstract settings(): Record<string, unknown>;

  toJSON(): ForecasterJson {
    const json: ForecasterJson = { format: FORECASTER_FORMAT, version: FORECASTER_FORMAT_VERSION, kind: this.kind, name: this.name, ...this.settings() };
    if (this.calibration) json.calibration = calibrationToJSON(this.calibration);
    return json;
  }
}
