import { PipelineError } from "../core/errors.js";
import type { Forecast } from "./forecast.js";
import type { Forecaster, ForecasterJson } from "./forecaster.js";

/**
 * Split-conformal prediction intervals from forecast residuals, per horizon step and relative
 * to the forecast: a residual is `r = (actual - forecast) / forecast`, and the interval at level
 * 1 - α is `forecast * (1 + q_lo) .. forecast * (1 + q_hi)` with `q_lo`, `q_hi` the conformal
 * α/2 and 1 - α/2 quantiles of the step's residuals. Relative residuals transfer across series
 * whose sizes differ by orders of magnitude; per-step quantiles let the band widen with the step.
 */
export interface Calibration {
  /** Steps calibrated: entry `step - 1` of every array. */
  horizon: number;
  /** Residuals behind each step's quantiles. */
  counts: number[];
  lower80: number[];
  upper80: number[];
  lower95: number[];
  upper95: number[];
}

/** Relative residuals of forecasts whose actuals are known: `rel[i]` at horizon step `step[i]`. */
export interface Residuals {
  step: number[];
  rel: number[];
}

/** An empty residual collection. */
export function emptyResiduals(): Residuals {
  return { step: [], rel: [] };
}

/**
 * Adds the residuals of `forecast` against `actual` (same layout as `forecast.point`) for the
 * entries `include(step)` accepts. Points with a non-finite actual or a non-positive forecast
 * carry no relative residual and are skipped.
 */
export function addResiduals(into: Residuals, forecast: Forecast, actual: Float64Array, include: (step: number) => boolean = () => true): Residuals {
  const h = forecast.horizon;
  for (let i = 0; i < forecast.point.length; i++) {
    const step = (i % h) + 1;
    const f = forecast.point[i];
    const y = actual[i];
    if (!(f > 0) || !Number.isFinite(y) || !include(step)) continue;
    into.step.push(step);
    into.rel.push((y - f) / f);
  }
  return into;
}

/**
 * The k-th smallest (1-based) of sorted `xs`, with k from the conformal rank rule; -Infinity or
 * +Infinity when too few residuals exist for the level (never a silently narrower band).
 */
function conformalQuantile(sorted: Float64Array, tail: number, upper: boolean): number {
  const n = sorted.length;
  if (upper) {
    const k = Math.ceil((n + 1) * (1 - tail));
    return k > n ? Infinity : sorted[k - 1];
  }
  const k = Math.floor((n + 1) * tail);
  return k < 1 ? -Infinity : sorted[k - 1];
}

/**
 * Per-step conformal quantiles (80 % and 95 %) of `residuals` for steps 1..horizon. A step with
 * no residual gets infinite bounds.
 */
export function calibrate(residuals: Residuals, horizon: number): Calibration {
  if (!Number.isInteger(horizon) || horizon < 1) throw new PipelineError("model", `calibration horizon must be an integer >= 1, got ${horizon}`);
  const byStep: number[][] = Array.from({ length: horizon }, () => []);
  for (let i = 0; i < residuals.step.length; i++) {
    const s = residuals.step[i];
    if (s >= 1 && s <= horizon) byStep[s - 1].push(residuals.rel[i]);
  }
  const cal: Calibration = { horizon, counts: [], lower80: [], upper80: [], lower95: [], upper95: [] };
  for (const list of byStep) {
    const sorted = Float64Array.from(list).sort();
    cal.counts.push(sorted.length);
    cal.lower80.push(conformalQuantile(sorted, 0.1, false));
    cal.upper80.push(conformalQuantile(sorted, 0.1, true));
    cal.lower95.push(conformalQuantile(sorted, 0.025, false));
    cal.upper95.push(conformalQuantile(sorted, 0.025, true));
  }
  return cal;
}

/**
 * Fills the interval arrays of `forecast` from `calibration` (in place; returns it). Steps past
 * the calibration's horizon keep NaN bounds. Lower bounds are clipped at 0 (consumption is never
 * negative).
 */
export function applyCalibration(forecast: Forecast, calibration: Calibration): Forecast {
  const h = forecast.horizon;
  for (let i = 0; i < forecast.point.length; i++) {
    const j = i % h;
    if (j >= calibration.horizon) continue;
    const f = forecast.point[i];
    forecast.lower80[i] = Math.max(0, f * (1 + calibration.lower80[j]));
    forecast.upper80[i] = f * (1 + calibration.upper80[j]);
    forecast.lower95[i] = Math.max(0, f * (1 + calibration.lower95[j]));
    forecast.upper95[i] = f * (1 + calibration.upper95[j]);
  }
  return forecast;
}

/** JSON form of a calibration: infinite bounds become null (JSON has no infinity). */
export function calibrationToJSON(c: Calibration): Record<string, unknown> {
  const fin = (xs: number[]) => xs.map((x) => (Number.isFinite(x) ? x : null));
  return { horizon: c.horizon, counts: c.counts, lower80: fin(c.lower80), upper80: fin(c.upper80), lower95: fin(c.lower95), upper95: fin(c.upper95) };
}

/** Reads {@link calibrationToJSON}'s output back; throws a PipelineError naming what is malformed. */
export function calibrationFromJSON(json: unknown, what: string): Calibration {
  const o = json as Record<string, unknown> | null;
  const h = o?.horizon;
  if (typeof h !== "number" || !Number.isInteger(h) || h < 1)
    throw new PipelineError("model", `${what}: calibration.horizon must be an integer >= 1, got ${JSON.stringify(h)}`);
  const arr = (name: string, sign: number): number[] => {
    const xs = o?.[name];
    if (!Array.isArray(xs) || xs.length !== h || !xs.every((x) => x === null || typeof x === "number")) {
      throw new PipelineError("model", `${what}: calibration.${name} must be an array of ${h} numbers or nulls`);
    }
    return xs.map((x: number | null) => (x === null ? sign * Infinity : x));
  };
  return {
    horizon: h,
    counts: arr("counts", 1),
    lower80: arr("lower80", -1),
    upper80: arr("upper80", 1),
    lower95: arr("lower95", -1),
    upper95: arr("upper95", 1),
  };
}

/** `model` with the calibration of `json` restored, errors named by the model (every loader's last step). */
export function withCalibration<M extends Forecaster>(model: M, json: ForecasterJson): M {
  if (json.calibration !== undefined) model.calibration = calibrationFromJSON(json.calibration, model.name);
  return model;
}
