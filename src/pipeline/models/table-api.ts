import type { ColumnTable } from "arquero";
import { panelFromTable } from "../features/panel.js";
import type { KeyColumn } from "../series/key.js";
import type { Forecaster } from "./forecaster.js";
import { forecastToTable } from "./forecast-table.js";

/** Fits `model` on a canonical table (datetime_utc, the key columns, energy_consumption). */
export function fitTable(model: Forecaster, history: ColumnTable, keys: readonly KeyColumn[]): void {
  model.fit(panelFromTable(history, keys, "training history"));
}

/**
 * Forecasts the `horizon` hours after the last hour of `history` (a canonical table; default: the
 * history the model was fitted on) as the long forecast table of {@link forecastToTable}.
 */
export function predictTable(model: Forecaster, horizon: number, keys: readonly KeyColumn[], history?: ColumnTable): ColumnTable {
  return forecastToTable(model.forecast(horizon, history === undefined ? undefined : panelFromTable(history, keys, "forecast history")));
}
