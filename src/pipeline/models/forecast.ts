import type { KeyColumn, SeriesKey } from "../series/key.js";

/**
 * Forecasts of many series for hours `origin + 1h .. origin + horizon h`, in flat typed arrays:
 * entry `s * horizon + (step - 1)` is series `keys[s]` at `step` hours after the origin.
 * Interval bounds are NaN when the model has no calibration.
 */
export interface Forecast {
  /** Epoch ms of the last known hour. */
  origin: number;
  horizon: number;
  /** The key columns of `keys`. */
  keyColumns: readonly KeyColumn[];
  keys: SeriesKey[];
  point: Float64Array;
  lower80: Float64Array;
  upper80: Float64Array;
  lower95: Float64Array;
  upper95: Float64Array;
}

/** A forecast of the series of `of` (a panel or another forecast) with every value NaN, for models to fill in. */
export function emptyForecast(origin: number, horizon: number, of: { keys: SeriesKey[]; keyColumns: readonly KeyColumn[] }): Forecast {
  const n = of.keys.length * horizon;
  const nan = () => new Float64Array(n).fill(NaN);
  return { origin, horizon, keyColumns: of.keyColumns, keys: of.keys, point: nan(), lower80: nan(), upper80: nan(), lower95: nan(), upper95: nan() };
}
