import { PipelineError } from "../core/errors.js";
import type { Panel } from "../features/panel.js";
import type { ForecasterJson } from "./forecaster.js";
import { withCalibration } from "./conformal.js";
import { HistoryForecaster } from "./history-forecaster.js";

/**
 * Level-adjusted seasonal naive: the value one season (`period` hours) before, times the ratio
 * of the series' level now to its level a season ago, the level being the sum of the last
 * `levelHours` observed hours: `y[t + h] = y[t + h - period] * sum(y[t - levelHours + 1 .. t]) /
 * sum(y[t - levelHours + 1 - period .. t - period])`. It keeps last week's shape and today's
 * level, so a week that follows a holiday week (or precedes one) is not forecast at the holiday's
 * level. No calendar: the level says what the calendar would. Steps beyond one season repeat the
 * season, as {@link SeasonalNaive}. The ratio is 1 when either sum is not a positive finite
 * number (a missing hour, a series at zero); a missing source hour gives NaN.
 */
export class LevelNaive extends HistoryForecaster {
  readonly name: string;
  protected readonly kind = "level-naive";

  constructor(
    readonly period: number,
    readonly levelHours: number,
  ) {
    super();
    if (!Number.isInteger(period) || period < 1) throw new PipelineError("model", `level naive period must be an integer >= 1 hour, got ${period}`);
    if (!Number.isInteger(levelHours) || levelHours < 1 || levelHours > period) {
      throw new PipelineError("model", `level naive levelHours must be an integer in 1..period (${period}), got ${levelHours}`);
    }
    this.name = `level-naive-${period}`;
  }

  /** A season, as the plain seasonal naive: with less than `period + levelHours` hours the ratio is 1. */
  get historyHours(): number {
    return this.period;
  }

  /** The level a season ago ends `period` hours before the origin and spans `levelHours`. */
  get reachHours(): number {
    return this.period + this.levelHours;
  }

  protected points(h: Panel, horizon: number, point: Float64Array): void {
    const last = h.hours - 1;
    for (let s = 0; s < h.keys.length; s++) {
      const v = h.values[s];
      const ratio = levelRatio(v, last, this.period, this.levelHours);
      for (let step = 1; step <= horizon; step++) {
        const src = last + step - this.period * Math.ceil(step / this.period);
        point[s * horizon + step - 1] = src >= 0 ? v[src] * ratio : NaN;
      }
    }
  }

  protected settings(): Record<string, number> {
    return { period: this.period, levelHours: this.levelHours };
  }

  /** Rebuilds a model from {@link LevelNaive.toJSON}'s output (it holds no history: pass one to forecast()). */
  static fromJSON(json: ForecasterJson): LevelNaive {
    return withCalibration(new LevelNaive(json.period as number, json.levelHours as number), json);
  }
}

/** Sum of `v[last - n + 1 .. last]` over the same hours `period` earlier; 1 when either is not positive and finite. */
export function levelRatio(v: ArrayLike<number>, last: number, period: number, n: number): number {
  if (last - n + 1 - period < 0) return 1;
  let now = 0;
  let before = 0;
  for (let j = 0; j < n; j++) {
    now += v[last - j];
    before += v[last - j - period];
  }
  return now > 0 && before > 0 && Number.isFinite(now) && Number.isFinite(before) ? now / before : 1;
}
