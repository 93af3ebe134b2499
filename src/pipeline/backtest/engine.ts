import type { Logger } from "../core/effects.js";
import { PipelineError } from "../core/errors.js";
import { formatInstant, HOUR_MS } from "../time/index.js";
import { panelUntil, type Panel } from "../features/panel.js";
import { namedKey, type KeyValue } from "../series/key.js";
import { addResiduals, calibrate, type Residuals } from "../models/conformal.js";
import type { Forecast } from "../models/forecast.js";
import type { Forecaster } from "../models/forecaster.js";
import { ErrorAccumulator, seriesMapeStats, type ErrorSummary, type SeriesMapeStats } from "./metrics.js";
import { planOrigins, type OriginPlan } from "./origins.js";

/** A model to backtest: its name and a factory of fresh, unfitted instances. */
export interface ModelEntry {
  name: string;
  create: () => Forecaster;
}

/** Options of {@link runBacktest}. */
export interface BacktestOptions extends OriginPlan {
  /**
   * Pseudo-origins before the first origin (at `from - k * horizon`, k = 1..n) whose forecasts
   * only calibrate the intervals of the first origins; they are fitted and timed but not scored.
   * Default 1. 0 leaves the first origin without intervals.
   */
  calibrationWarmup?: number;
  /** Keep every scored forecast in the result (tests, plots). */
  keepForecasts?: boolean;
  /** Milliseconds timer for the fit/predict timings (default `performance.now`). */
  timer?: () => number;
  logger?: Logger;
}

/** Errors at one origin, one horizon step or one series. */
export type OriginSummary = ErrorSummary & { origin: number };
export type StepSummary = ErrorSummary & { step: number };
/** Errors of one series; `key` names its key values by key column. */
export type SeriesSummary = ErrorSummary & { key: Record<string, KeyValue> };

/** What a backtest measured for one model. */
export interface ModelBacktest extends ErrorSummary {
  name: string;
  /** Seconds in `fit`, over the scored origins and the calibration warm-up. */
  fitSeconds: number;
  /** Seconds in `forecast`, over the scored origins and the calibration warm-up. */
  predictSeconds: number;
  /** Mean and median over series of each series' MAPE (beside the pooled `mape`). */
  seriesMape: SeriesMapeStats;
  byOrigin: OriginSummary[];
  byStep: StepSummary[];
  bySeries: SeriesSummary[];
  /** Relative residuals of the scored origins (to calibrate the model trained on all data). */
  residuals: Residuals;
  forecasts?: Forecast[];
}

/** A whole backtest. */
export interface BacktestResult {
  plan: OriginPlan;
  origins: number[];
  skippedPastData: number[];
  skippedBeforeData: number[];
  /** Origins of the calibration warm-up actually run. */
  warmupOrigins: number[];
  models: ModelBacktest[];
}

/**
 * Rolling-origin backtest. At each origin (the last known hour) every model is fitted afresh on
 * a copy of the history up to and including the origin, and forecasts the next `horizon` hours,
 * scored against the actuals. The copy is what makes "never looks past the origin" structural.
 *
 * Intervals are honest: the calibration at an origin uses only residuals whose target hour is at
 * or before that origin, from earlier origins and from the warm-up pseudo-origins.
 */
export function runBacktest(panel: Panel, models: ModelEntry[], options: BacktestOptions): BacktestResult {
  const { origins, skippedPastData, skippedBeforeData } = planOrigins(panel, options);
  const horizon = options.horizon;
  const timer = options.timer ?? (() => performance.now());
  const warmupCount = options.calibrationWarmup ?? 1;
  if (!Number.isInteger(warmupCount) || warmupCount < 0) throw new PipelineError("backtest", `calibrationWarmup must be an integer >= 0, got ${warmupCount}`);
  const warmupOrigins: number[] = [];
  for (let k = warmupCount; k >= 1; k--) {
    const w = origins[0] - k * horizon * HOUR_MS;
    if (w >= panel.start) warmupOrigins.push(w);
  }
  const result: BacktestResult = {
    plan: { from: options.from, to: options.to, every: options.every, horizon },
    origins,
    skippedPastData,
    skippedBeforeData,
    warmupOrigins,
    models: [],
  };
  for (const entry of models) {
    result.models.push(backtestModel(panel, entry, origins, warmupOrigins, horizon, timer, options));
  }
  return result;
}

function backtestModel(
  panel: Panel,
  entry: ModelEntry,
  origins: number[],
  warmups: number[],
  horizon: number,
  timer: () => number,
  options: BacktestOptions,
): ModelBacktest {
  const total = new ErrorAccumulator();
  const steps = Array.from({ length: horizon }, () => new ErrorAccumulator());
  const series = panel.keys.map(() => new ErrorAccumulator());
  const byOrigin: OriginSummary[] = [];
  const scored: Residuals = { step: [], rel: [] };
  const seen: { target: number[]; step: number[]; rel: number[] } = { target: [], step: [], rel: [] };
  const forecasts: Forecast[] = [];
  let fitMs = 0;
  let predictMs = 0;
  const all = [...warmups.map((o) => ({ o, score: false })), ...origins.map((o) => ({ o, score: true }))];
  for (const { o, score } of all) {
    const history = panelUntil(panel, o, true);
    const model = entry.create();
    let t0 = timer();
    model.fit(history);
    fitMs += timer() - t0;
    const usable: Residuals = { step: [], rel: [] };
    for (let i = 0; i < seen.target.length; i++) {
      if (seen.target[i] <= o) {
        usable.step.push(seen.step[i]);
        usable.rel.push(seen.rel[i]);
      }
    }
    model.calibration = usable.step.length > 0 ? calibrate(usable, horizon) : undefined;
    t0 = timer();
    const forecast = model.forecast(horizon);
    predictMs += timer() - t0;
    checkForecast(entry.name, forecast, o, horizon, panel.keys.length);
    const actual = actualsAfter(panel, o, horizon);
    const before = seen.step.length;
    const residuals = addResiduals({ step: seen.step, rel: seen.rel }, forecast, actual);
    for (let i = before; i < residuals.step.length; i++) seen.target.push(o + residuals.step[i] * HOUR_MS);
    if (!score) continue;
    const at = new ErrorAccumulator();
    for (let s = 0; s < panel.keys.length; s++) {
      for (let step = 1; step <= horizon; step++) {
        const i = s * horizon + step - 1;
        const args = [actual[i], forecast.point[i], forecast.lower80[i], forecast.upper80[i], forecast.lower95[i], forecast.upper95[i]] as const;
        total.add(...args);
        at.add(...args);
        steps[step - 1].add(...args);
        series[s].add(...args);
      }
    }
    for (let i = before; i < seen.step.length; i++) {
      scored.step.push(seen.step[i]);
      scored.rel.push(seen.rel[i]);
    }
    byOrigin.push({ origin: o, ...at.summary() });
    if (options.keepForecasts) forecasts.push(forecast);
    options.logger?.debug("backtest origin", { model: entry.name, origin: formatInstant(o), mape: byOrigin[byOrigin.length - 1].mape });
  }
  const bySeries = series.map((a, s) => ({ key: namedKey(panel.keys[s], panel.keyColumns), ...a.summary() }));
  const out: ModelBacktest = {
    name: entry.name,
    ...total.summary(),
    fitSeconds: fitMs / 1000,
    predictSeconds: predictMs / 1000,
    seriesMape: seriesMapeStats(bySeries.map((x) => x.mape)),
    byOrigin,
    byStep: steps.map((a, i) => ({ step: i + 1, ...a.summary() })),
    bySeries,
    residuals: scored,
  };
  if (options.keepForecasts) out.forecasts = forecasts;
  return out;
}

/** The actuals of the `horizon` hours after `origin`, in a forecast's layout. */
export function actualsAfter(panel: Panel, origin: number, horizon: number): Float64Array {
  const base = (origin - panel.start) / HOUR_MS;
  const out = new Float64Array(panel.keys.length * horizon);
  for (let s = 0; s < panel.keys.length; s++) {
    const v = panel.values[s];
    for (let step = 1; step <= horizon; step++) out[s * horizon + step - 1] = v[base + step] ?? NaN;
  }
  return out;
}

function checkForecast(name: string, f: Forecast, origin: number, horizon: number, nSeries: number): void {
  if (f.origin !== origin || f.horizon !== horizon || f.keys.length !== nSeries || f.point.length !== nSeries * horizon) {
    throw new PipelineError(
      "backtest",
      `model ${name} returned a forecast for origin ${formatInstant(f.origin)}, horizon ${f.horizon}, ${f.keys.length} series; expected origin ${formatInstant(origin)}, horizon ${horizon}, ${nSeries} series (a bug in the model)`,
    );
  }
}
