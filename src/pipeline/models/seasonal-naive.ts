import { PipelineError } from "../core/errors.js";
import { panelEnd, type Panel } from "../features/panel.js";
import { applyCalibration, calibrationFromJSON, calibrationToJSON, type Calibration } from "./conformal.js";
import { emptyForecast, type Forecast } from "./forecast.js";
import { checkHorizon, FORECASTER_FORMAT, FORECASTER_FORMAT_VERSION, historyFor, type Forecaster, type ForecasterJson } from "./forecaster.js";

/**
 * Seasonal naive: the value one season (`period` hours) before, repeated for steps beyond one
 * season (`y[t + h] = y[t + h - period * ceil(h / period)]`). A missing source hour gives NaN.
 */
export class SeasonalNaive implements Forecaster {
  readonly name: string;
  calibration: Calibration | undefined;
  private history: Panel | undefined;

  get historyHours(): number {
    return this.period;
  }

  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1) throw new PipelineError("model", `seasonal naive period must be an integer >= 1 hour, got ${period}`);
    this.name = `seasonal-naive-${period}`;
  }

  fit(history: Panel): void {
    this.history = history;
  }

  forecast(horizon: number, history?: Panel): Forecast {
    checkHorizon(this.name, horizon);
    const h = historyFor(this.name, history, this.history);
    const out = emptyForecast(panelEnd(h), horizon, h);
    const last = h.hours - 1;
    for (let s = 0; s < h.keys.length; s++) {
      const v = h.values[s];
      for (let step = 1; step <= horizon; step++) {
        const src = last + step - this.period * Math.ceil(step / this.period);
        out.point[s * horizon + step - 1] = src >= 0 ? v[src] : NaN;
      }
    }
    return this.calibration ? applyCalibration(out, this.calibration) : out;
  }

  toJSON(): ForecasterJson {
    const json: ForecasterJson = {
      format: FORECASTER_FORMAT,
      version: FORECASTER_FORMAT_VERSION,
      kind: "seasonal-naive",
      name: this.name,
      period: this.period,
    };
    if (this.calibration) json.calibration = calibrationToJSON(this.calibration);
    return json;
  }

  /** Rebuilds a model from {@link SeasonalNaive.toJSON}'s output (it holds no history: pass one to forecast()). */
  static fromJSON(json: ForecasterJson): SeasonalNaive {
    const m = new SeasonalNaive(json.period as number);
    if (json.calibration !== undefined) m.calibration = calibrationFromJSON(json.calibration, m.name);
    return m;
  }
}
