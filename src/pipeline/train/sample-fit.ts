import { panelSubset, type Panel } from "../features/panel.js";
import { scaleAt } from "../features/row.js";
import { DEFAULT_FEATURE_SPEC } from "../features/spec.js";
import type { Calibration } from "../models/conformal.js";
import type { Forecast } from "../models/forecast.js";
import type { Forecaster, ForecasterJson } from "../models/forecaster.js";
import { sampleSeries, type SeriesSample } from "../series/sample.js";

/**
 * Training at width: the global model fits on a bounded, stratified sample of the series
 * ({@link sampleSeries}) and still forecasts every series. Prediction is unchanged: one model,
 * the same artifact format, applied to every series of the history it is given.
 */

/** What the registry metadata records about the series a model was trained on. */
export interface TrainingSeries {
  /** Series in the training data. */
  total: number;
  /** Series with a usable scale (the others give no training row). */
  eligible: number;
  /** Series the model was fitted on. */
  used: number;
  /** TRAIN_MAX_SERIES at training time (0: no bound). */
  maxSeries: number;
  /** True when the bound cut the panel. */
  sampled: boolean;
  /** Scale strata of the sample (0 when not sampled). */
  strata: number;
  /** The rule, in words. */
  rule: string;
  /** Hash of the sampled series ids: equal between two versions when they trained on the same series. */
  fingerprint: string;
}

/**
 * Each series' scale as the global model computes it: the mean of its finite values among the
 * last week (`DEFAULT_FEATURE_SPEC.scaleWindow` hours) of the panel; NaN when it has none.
 */
export function seriesScales(panel: Panel, window = DEFAULT_FEATURE_SPEC.scaleWindow): Float64Array {
  return Float64Array.from(panel.values, (v) => scaleAt(v, panel.hours, window));
}

/** The sample of `panel`'s series that a model trains on under the bound `maxSeries` (0: none); `salt` as {@link sampleSeries}. */
export function trainingSample(panel: Panel, maxSeries: number, options: { salt?: string } = {}): SeriesSample {
  return sampleSeries(panel.keys, seriesScales(panel), maxSeries, options);
}

/** The registry record of a sample. */
export function trainingSeriesRecord(s: SeriesSample): TrainingSeries {
  return {
    total: s.total,
    eligible: s.eligible,
    used: s.indices.length,
    maxSeries: s.maxSeries,
    sampled: s.sampled,
    strata: s.strata,
    rule: s.rule,
    fingerprint: s.fingerprint,
  };
}

/**
 * A forecaster that fits `inner` on the training sample of the history it is given and forecasts
 * every series of that history (or of the history passed to `forecast`). When the panel is within
 * the bound, `inner` fits on the whole history, exactly as without this wrapper. Its JSON is
 * `inner`'s, so the registered artifact and prediction do not change.
 */
export class SampledFit implements Forecaster {
  /** The sample of the last `fit` (undefined before). */
  sample: SeriesSample | undefined;
  private history: Panel | undefined;

  constructor(
    readonly inner: Forecaster,
    readonly maxSeries: number,
    readonly options: { salt?: string } = {},
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get calibration(): Calibration | undefined {
    return this.inner.calibration;
  }

  set calibration(c: Calibration | undefined) {
    this.inner.calibration = c;
  }

  get historyHours(): number | undefined {
    return this.inner.historyHours;
  }

  get reachHours(): number | undefined {
    return this.inner.reachHours;
  }

  fit(history: Panel): void {
    const sample = trainingSample(history, this.maxSeries, this.options);
    this.inner.fit(sample.sampled ? panelSubset(history, sample.indices) : history);
    this.sample = sample;
    this.history = history;
  }

  forecast(horizon: number, history?: Panel): Forecast {
    return this.inner.forecast(horizon, history ?? this.history);
  }

  toJSON(): ForecasterJson {
    return this.inner.toJSON();
  }
}
