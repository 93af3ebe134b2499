import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { TIME_COLUMN } from "../dataset/spec.js";
import { keyColumnsFor, keyNames, type KeyColumn } from "../series/key.js";
import { HOUR_MS } from "../time/index.js";
import type { Forecast } from "./forecast.js";

/** Columns of a forecast table after the key columns, in order. */
export const FORECAST_VALUE_COLUMNS = ["datetime_utc", "step", "origin", "prediction", "lower_80", "upper_80", "lower_95", "upper_95"] as const;

/** Columns of a forecast table, in order: the key columns, then {@link FORECAST_VALUE_COLUMNS}. */
export function forecastColumns(keys: readonly KeyColumn[]): string[] {
  return [...keyNames(keys), ...FORECAST_VALUE_COLUMNS];
}

/**
 * A forecast as a long table, one row per (series, hour): the key columns, datetime_utc (epoch
 * ms), step (1..horizon), origin (epoch ms, the last known hour), prediction and the 80 % and
 * 95 % interval bounds (NaN without calibration). Rows are ordered by series, then step.
 */
export function forecastToTable(f: Forecast): ColumnTable {
  const n = f.keys.length * f.horizon;
  const time = new Float64Array(n);
  const step = new Int32Array(n);
  const origin = new Float64Array(n).fill(f.origin);
  for (let s = 0; s < f.keys.length; s++) {
    for (let h = 1; h <= f.horizon; h++) {
      const i = s * f.horizon + h - 1;
      time[i] = f.origin + h * HOUR_MS;
      step[i] = h;
    }
  }
  return aq.table({
    ...keyColumnsFor(f.keys, f.keyColumns, f.horizon),
    [TIME_COLUMN]: time,
    step,
    origin,
    prediction: f.point,
    lower_80: f.lower80,
    upper_80: f.upper80,
    lower_95: f.lower95,
    upper_95: f.upper95,
  }) as ColumnTable;
}
