import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { HOUR_MS } from "../config/time.js";
import type { Forecast } from "./forecast.js";

/** Columns of a forecast table, in order. */
export const FORECAST_COLUMNS = [
  "area",
  "consumer_type",
  "datetime_utc",
  "step",
  "origin",
  "prediction",
  "lower_80",
  "upper_80",
  "lower_95",
  "upper_95",
] as const;

/**
 * A forecast as a long table, one row per (series, hour): area, consumer_type, datetime_utc
 * (epoch ms), step (1..horizon), origin (epoch ms, the last known hour), prediction and the 80 %
 * and 95 % interval bounds (NaN without calibration). Rows are ordered by series, then step.
 */
export function forecastToTable(f: Forecast): ColumnTable {
  const n = f.keys.length * f.horizon;
  const area = new Int8Array(n);
  const consumer = new Int32Array(n);
  const time = new Float64Array(n);
  const step = new Int32Array(n);
  const origin = new Float64Array(n).fill(f.origin);
  for (let s = 0; s < f.keys.length; s++) {
    for (let h = 1; h <= f.horizon; h++) {
      const i = s * f.horizon + h - 1;
      area[i] = f.keys[s].area;
      consumer[i] = f.keys[s].consumerType;
      time[i] = f.origin + h * HOUR_MS;
      step[i] = h;
    }
  }
  return aq.table({
    area,
    consumer_type: consumer,
    datetime_utc: time,
    step,
    origin,
    prediction: f.point,
    lower_80: f.lower80,
    upper_80: f.upper80,
    lower_95: f.lower95,
    upper_95: f.upper95,
  }) as ColumnTable;
}
