import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import { readParquet } from "../parquet/read.js";
import type { TableSchema } from "../parquet/schema.js";
import { writeParquet } from "../parquet/write.js";
import { outputKeys, runFileKey } from "../storage/layout.js";
import { readIfExists, type Storage } from "../storage/storage.js";
import { ensurePartitioned, writeForecastPartitions } from "../history/partitions.js";
import { DEFAULT_HISTORY_WINDOW_DAYS, writeHistoryWindow } from "../history/window.js";
import { markDirty } from "../monitor/incremental.js";
import type { KeyColumn } from "../series/key.js";
import { predictionsSchema, xSchema, yMonitoringSchema } from "./schema.js";

const PARQUET = { contentType: "application/vnd.apache.parquet" };

/** Writes a table as parquet under `key`. */
export async function writeTable(storage: Storage, key: string, table: ColumnTable, schema: TableSchema): Promise<void> {
  await storage.write(key, writeParquet(table, schema), PARQUET);
}

/**
 * Reads a parquet table, or undefined when the object does not exist yet. A forecast history that
 * does not decode fails with the command that rebuilds it: every run reads the history before
 * extending it, so a corrupt one would otherwise block every run for ever.
 */
export async function readTableIfExists(storage: Storage, key: string, schema: TableSchema): Promise<ColumnTable | undefined> {
  const bytes = await readIfExists(storage, key);
  if (bytes === undefined) return undefined;
  try {
    return readParquet(bytes, schema, key);
  } catch (error) {
    if (key !== outputKeys.history || !(error instanceof PipelineError) || error.domain !== "parquet") throw error;
    throw new PipelineError(
      "predict",
      `the forecast history ${key} in ${storage.uri} cannot be read; run energy-forecast doctor --repair to set it aside under damaged/ and rebuild it from runs/*/predictions.parquet`,
      { cause: error },
    );
  }
}

/**
 * Writes a prediction run: immutable copies under `runs/<runId>/` first, then the latest
 * `X.parquet`, `y.parquet`, `predictions.parquet`, then the forecast history: the partition file
 * of the run's origin (history/partitions.ts; a store still holding a single-file history is
 * migrated first), then the compacted window `predictions_monitoring.parquet` (the last
 * `windowDays` days of origins, history/window.ts). Each object is replaced atomically, so a
 * crash leaves every file readable; rerunning the tick repairs the rest. The history is never
 * read whole: only the partitions the run's origin touches and the window's.
 */
export async function writePredictionOutputs(
  storage: Storage,
  runId: string,
  tables: { X: ColumnTable; y: ColumnTable; predictions: ColumnTable },
  keys: readonly KeyColumn[],
  history: { windowDays?: number } = {},
): Promise<{ historyRows: number; replaced: number }> {
  const PREDICTIONS_SCHEMA = predictionsSchema(keys);
  const files: Array<[string, ColumnTable, TableSchema]> = [
    [outputKeys.X, tables.X, xSchema(keys)],
    [outputKeys.y, tables.y, yMonitoringSchema(keys)],
    [outputKeys.predictions, tables.predictions, PREDICTIONS_SCHEMA],
  ];
  // Encoded once, written twice: encoding (text keys above all) is most of a wide run's cost here.
  const encoded = files.map(([name, table, schema]) => [name, writeParquet(table, schema)] as const);
  for (const [name, bytes] of encoded) await storage.write(runFileKey(runId, name), bytes, PARQUET);
  for (const [name, bytes] of encoded) await storage.write(name, bytes, PARQUET);
  const state = await ensurePartitioned(storage, keys);
  const written = await writeForecastPartitions(storage, tables.predictions, keys, state);
  const targets = tables.predictions.array("datetime_utc") as ArrayLike<number>;
  let first = Infinity;
  for (let i = 0; i < targets.length; i++) if (targets[i] < first) first = targets[i];
  if (Number.isFinite(first)) await markDirty(storage, first);
  await writeHistoryWindow(storage, written.state, history.windowDays ?? DEFAULT_HISTORY_WINDOW_DAYS);
  return { historyRows: written.state.rows, replaced: written.replaced };
}
