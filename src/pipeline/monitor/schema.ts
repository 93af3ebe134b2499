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
export const METRICS_BY_STEP_SCHEMA: TableSchema = [["step", "int16"], ...SUMMARY];
export const METRICS_BY_MODEL_SCHEMA: TableSchema = [
  ["model", "utf8"],
  ["model_version", "int32"],
  ...SUMMARY,
  ["first_origin", "timestamp"],
  ["last_origin", "timestamp"],
];
export const METRICS_BY_ORIGIN_SCHEMA: TableSchema = [["origin", "timestamp"], ["model", "utf8"], ["model_version", "int32"], ["run_id", "utf8"], ...SUMMARY];
