import type { TableSchema } from "../parquet/schema.js";

const SUMMARY: TableSchema = [
  ["n", "int32"],
  ["mape", "float64"],
  ["rmspe", "float64"],
  ["coverage_80", "float64"],
  ["coverage_95", "float64"],
];

/** `metrics_monitoring.parquet`: per target hour, plus the trailing 7-day window. */
export const METRICS_BY_TIME_SCHEMA: TableSchema = [["datetime_utc", "timestamp"], ...SUMMARY, ["mape_7d", "float64"], ["coverage_80_7d", "float64"]];
export const METRICS_BY_SERIES_SCHEMA: TableSchema = [["area", "int8"], ["consumer_type", "int32"], ...SUMMARY];
export const METRICS_BY_STEP_SCHEMA: TableSchema = [["step", "int16"], ...SUMMARY];
export const METRICS_BY_MODEL_SCHEMA: TableSchema = [["model", "utf8"], ["model_version", "int32"], ...SUMMARY, ["first_origin", "timestamp"], ["last_origin", "timestamp"]];
export const METRICS_BY_ORIGIN_SCHEMA: TableSchema = [["origin", "timestamp"], ["model", "utf8"], ["model_version", "int32"], ["run_id", "utf8"], ...SUMMARY];
