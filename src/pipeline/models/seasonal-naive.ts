import { PipelineError } from "../core/errors.js";
import type { Panel } from "../features/panel.js";
import type { ForecasterJson } from "./forecaster.js";
import { withCalibration } from "./conformal.js";
import { HistoryForecaster } from "./history-forecaster.js";

/**
 * Seasonal naive: the value one season (`period` hours) before, repeated for steps beyond one
 * season (`y[t + h] = y[t + h - period * ceil(h / period)]`). A missing source hour gives NaN.
 */
export class SeasonalNaive extends HistoryForecaster {
  readonly name: string;
  protected readonly kind = "seasonal-naive";

  get historyHours(): number {
    return this.period;
  }

  constructor(readonly period: number) {
    super();
    if (!Number.isInteger(period) || period < 1) throw new PipelineError("model", `seasonal naive period must be an integer >= 1 hour, got ${period}`);
    this.name = `seasonal-naive-${period}`;
  }

  protected points(h: Panel, horizon: number, point: Float64Array): void {
    const last = h.hours - 1;
    for (let s = 0; s < h.keys.length; s++) {
      const v = h.values[s];
      for (let step = 1; step <= horizon; step++) {
        const src = last + step - this.period * Math.ceil(step / this.period);
        point[s * horizon + step - 1] = src >= 0 ? v[src] : NaN;
      }
    }
  }

  protected settings(): Record<string, number> {
    return { period: this.period };
  }

  /** Rebuilds a model from {@link SeasonalNaive.toJSON}'s output (it holds no history: pass one to forecast()). */
  static fromJSON(json: ForecasterJson): SeasonalNaive {
    return withCalibration(new SeasonalNaive(json.period as number), json);
  }
}
