import type { TableSchema } from "../parquet/schema.js";
import type { KeyColumn } from "../series/key.js";

const SUMMARY: TableSchema = [
  ["n", "int32"],
  ["mape", "float64"],
  ["rmspe", "float64"],
  ["coverage_80", "float64"],
  ["coverage_95", "float64"],
];

/** `metrics_monitoring.parquet`: per target hour, plus the trailing 7-day window. */
export const METRICS_BY_TIME_SCHEMA: TableSchema = [["datetime_utc", "timestamp"], ...SUMMARY, ["mape_7d", "float64"], ["coverage_80_7d", "float64"]];
/** `metrics_monitoring_by_series.parquet`: the key columns, then the summary. */
export function metricsBySeriesSchema(keys: readonly KeyColumn[]): TableSchema {
  return [...keys.map((k) => [k.name, k.type] as const), ...SUMMARY];
}
/** `metrics_monitoring_by_series_day.parquet`: the key columns, the target day (UTC midnight), then the summary of that day's forecasts. */
export function metricsBySeriesDaySchema(keys: readonly KeyColumn[]): TableSchema {
  return [...keys.map((k) => [k.name, k.type] as const), ["day", "timestamp"], ...SUMMARY];
}
export const METRICS_BY_STEP_SCHEMA: TableSchema = [["step", "int16"], ...SUMMARY];
export const METRICS_BY_MODEL_SCHEMA: TableSchema = [
  ["model", "utf8"],
  ["model_version", "int32"],
  ...SUMMARY,
  ["first_origin", "timestamp"],
  ["last_origin", "timestamp"],
];
export const METRICS_BY_ORIGIN_SCHEMA: TableSchema = [["origin", "timestamp"], ["model", "utf8"], ["model_version", "int32"], ["run_id", "utf8"], ...SUMMARY];

/** The seasonal-naive periods (hours) the live forecasts are compared with (monitor/naive.ts). */
export const NAIVE_PERIODS = [24, 168] as const;

/** The column of `metrics_monitoring_vs_naive.parquet` holding the MAPE of the rule of `period` hours: `mape_naive_24`. */
export function naiveColumn(period: number): string {
  return `mape_naive_${period}`;
}

/**
 * `metrics_monitoring_vs_naive.parquet`: per step, the forecasts compared and the model's MAPE next
 * to each seasonal-naive rule's on the same hours (`mape_naive_24`, `mape_naive_168`; monitor/naive.ts).
 */
export const METRICS_VS_NAIVE_SCHEMA: TableSchema = [
  ["step", "int16"],
  ["n", "int32"],
  ["mape", "float64"],
  ...NAIVE_PERIODS.map((p) => [naiveColumn(p), "float64"] as const),
];
