/**
 * The schema of every parquet output doctor checks, by file name, for a store's key columns; and
 * decoding an output when the key columns are not known (no readable feature-group manifest):
 * they are then read off the file itself.
 */
import type { ColumnTable } from "arquero";
import { TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import {
  METRICS_BY_MODEL_SCHEMA,
  METRICS_BY_ORIGIN_SCHEMA,
  METRICS_BY_STEP_SCHEMA,
  METRICS_BY_TIME_SCHEMA,
  METRICS_VS_NAIVE_SCHEMA,
  metricsBySeriesDaySchema,
  metricsBySeriesSchema,
} from "../monitor/schema.js";
import { parquetSchema, readParquet } from "../parquet/read.js";
import type { TableSchema } from "../parquet/schema.js";
import { predictionsSchema, xSchema, yMonitoringSchema } from "../predict/schema.js";
import type { KeyColumn, KeyType } from "../series/key.js";
import { outputKeys } from "../storage/layout.js";

/** Parquet files at the store's root that the pipeline writes (the latest run's and monitoring's). */
export const ROOT_OUTPUTS: readonly string[] = [
  outputKeys.X,
  outputKeys.y,
  outputKeys.predictions,
  outputKeys.history,
  outputKeys.metrics,
  outputKeys.yMonitoring,
  outputKeys.metricsBy("series"),
  outputKeys.metricsBy("step"),
  outputKeys.metricsBy("model"),
  outputKeys.metricsBy("origin"),
  outputKeys.metricsBy("series_day"),
  outputKeys.metricsVsNaive,
];

/** The schema of an output file by its name (the last key segment), or undefined for a name doctor does not know. */
export function outputSchema(name: string, keys: readonly KeyColumn[]): TableSchema | undefined {
  const byName: Record<string, TableSchema> = {
    [outputKeys.predictions]: predictionsSchema(keys),
    [outputKeys.history]: predictionsSchema(keys),
    [outputKeys.X]: xSchema(keys),
    [outputKeys.y]: yMonitoringSchema(keys),
    [outputKeys.yMonitoring]: yMonitoringSchema(keys),
    [outputKeys.metrics]: METRICS_BY_TIME_SCHEMA,
    [outputKeys.metricsBy("series")]: metricsBySeriesSchema(keys),
    [outputKeys.metricsBy("step")]: METRICS_BY_STEP_SCHEMA,
    [outputKeys.metricsBy("model")]: METRICS_BY_MODEL_SCHEMA,
    [outputKeys.metricsBy("origin")]: METRICS_BY_ORIGIN_SCHEMA,
    [outputKeys.metricsBy("series_day")]: metricsBySeriesDaySchema(keys),
    [outputKeys.metricsVsNaive]: METRICS_VS_NAIVE_SCHEMA,
  };
  return byName[name];
}

const KEY_TYPES: readonly string[] = ["int8", "int32", "utf8"] satisfies KeyType[];

/**
 * The key columns an output file holds, read off its columns: before `datetime_utc` in forecasts,
 * after it in X, between it and `energy_consumption` in y. Undefined when the file does not say.
 */
export function keysInFile(bytes: Uint8Array, name: string): KeyColumn[] | undefined {
  const fields = parquetSchema(bytes);
  const names = fields.map(([n]) => n);
  const t = names.indexOf(TIME_COLUMN);
  let slice: typeof fields;
  if (name === outputKeys.predictions || name === outputKeys.history) slice = fields.slice(0, t);
  else if (name === outputKeys.X) slice = fields.slice(t + 1);
  else if (name === outputKeys.y || name === outputKeys.yMonitoring) slice = fields.slice(t + 1, names.indexOf(VALUE_COLUMN));
  else return undefined;
  if (t < 0 || slice.some(([, type]) => type === undefined || !KEY_TYPES.includes(type))) return undefined;
  return slice.map(([n, type]) => ({ name: n, type: type as KeyType }));
}

/**
 * Decodes an output file with its known schema (from `keys`, or the file's own key columns when
 * `keys` is undefined); returns the problem as text when it does not decode.
 */
export function decodeOutput(bytes: Uint8Array, key: string, keys: readonly KeyColumn[] | undefined): ColumnTable | string {
  const name = key.slice(key.lastIndexOf("/") + 1);
  try {
    const own = keys ?? keysInFile(bytes, name);
    const schema = own ? outputSchema(name, own) : undefined;
    return readParquet(bytes, schema, key);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
