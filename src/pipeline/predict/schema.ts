import type { TableSchema } from "../parquet/schema.js";

/**
 * A forecast row as stored in `predictions.parquet` and `predictions_monitoring.parquet`: the
 * target hour, when and from which observation it was made, by which model version and run.
 */
export const PREDICTIONS_SCHEMA: TableSchema = [
  ["area", "int8"],
  ["consumer_type", "int32"],
  ["datetime_utc", "timestamp"],
  ["origin", "timestamp"],
  ["step", "int16"],
  ["prediction", "float64"],
  ["lower_80", "float64"],
  ["upper_80", "float64"],
  ["lower_95", "float64"],
  ["upper_95", "float64"],
  ["model", "utf8"],
  ["model_version", "int32"],
  ["run_id", "utf8"],
];

/** The truth the monitoring joined: `y_monitoring.parquet`. */
export const Y_MONITORING_SCHEMA: TableSchema = [
  ["datetime_utc", "timestamp"],
  ["area", "int8"],
  ["consumer_type", "int32"],
  ["energy_consumption", "float64"],
];

/** The model inputs of a prediction run, as the reference wrote them: `X.parquet` (keys and calendar). */
export const X_SCHEMA: TableSchema = [
  ["datetime_utc", "timestamp"],
  ["area", "int8"],
  ["consumer_type", "int32"],
];

/** Store keys of the prediction and monitoring outputs (latest at the root, per run under runs/). */
export const outputKeys = {
  X: "X.parquet",
  y: "y.parquet",
  predictions: "predictions.parquet",
  history: "predictions_monitoring.parquet",
  metrics: "metrics_monitoring.parquet",
  yMonitoring: "y_monitoring.parquet",
  metricsBy: (what: "series" | "step" | "model" | "origin") => `metrics_monitoring_by_${what}.parquet`,
  run: (runId: string, file: string) => `runs/${runId}/${file}`,
};
