import { featureSchema } from "../dataset/spec.js";
import type { TableSchema } from "../parquet/schema.js";
import type { KeyColumn } from "../series/key.js";

/**
 * A forecast row as stored in `predictions.parquet` and `predictions_monitoring.parquet`: the
 * series' key columns, the target hour, when and from which observation it was made, by which
 * model version and run. For DE35 the keys are the reference's `area` (int8) and `consumer_type` (int32).
 */
export function predictionsSchema(keys: readonly KeyColumn[]): TableSchema {
  return [
    ...keys.map((k) => [k.name, k.type] as const),
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
}

/** The truth the monitoring joined (`y_monitoring.parquet`) and a run's `y.parquet`: the feature columns. */
export function yMonitoringSchema(keys: readonly KeyColumn[]): TableSchema {
  return featureSchema(keys);
}

/** The model inputs of a prediction run, as the reference wrote them: `X.parquet` (time and keys). */
export function xSchema(keys: readonly KeyColumn[]): TableSchema {
  return [["datetime_utc", "timestamp"], ...keys.map((k) => [k.name, k.type] as const)];
}
