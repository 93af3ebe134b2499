import type { SeriesKey } from "../features/panel.js";

/**
 * Forecasts of many series for hours `origin + 1h .. origin + horizon h`, in flat typed arrays:
 * entry `s * horizon + (step - 1)` is series `keys[s]` at `step` hours after the origin.
 * Interval bounds are NaN when the model has no calibration.
 */
export interface Forecast {
  /** Epoch ms of the last known hour. */
  origin: number;
  horizon: number;
  keys: SeriesKey[];
  point: Float64Array;
  lower80: Float64Array;
  upper80: Float64Array;
  lower95: Float64Array;
  upper95: Float64Array;
}

/** A forecast of `keys` with every value NaN, for models to fill in. */
export function emptyForecast(origin: number, horizon: number, keys: SeriesKey[]): Forecast {
  const n = keys.length * horizon;
  const nan = () => new Float64Array(n).fill(NaN);
  return { origin, horizon, keys, point: nan(), lower80: nan(), upper80: nan(), lower95: nan(), upper95: nan() };
}
