/**
 * The compacted window of the forecast history: `predictions_monitoring.parquet` keeps its name
 * for the tools that read it (the reference's notebooks, the report), but holds only the
 * forecasts of the last `windowDays` days of origins, rewritten from the partitions each tick.
 * The full history is in the partitions (history/partitions.ts).
 */
import type { ColumnTable } from "arquero";
import { readParquet } from "../parquet/read.js";
import { splicedParquet } from "../parquet/splice.js";
import { predictionsSchema } from "../predict/schema.js";
import type { KeyColumn } from "../series/key.js";
import { outputKeys } from "../storage/layout.js";
import { readIfExists, type Storage } from "../storage/storage.js";
import { DAY_MS } from "../time/index.js";
import { mapLimit, STORAGE_CALLS_IN_FLIGHT } from "../core/limit.js";
import { listParts, type ForecastsState } from "./partitions.js";

/** The default of HISTORY_WINDOW_DAYS. */
export const DEFAULT_HISTORY_WINDOW_DAYS = 30;

/** The origins (epoch ms, inclusive) the window holds, given the latest origin. */
export function windowOrigins(latestOrigin: number, windowDays: number): { from: number; to: number } {
  return { from: latestOrigin - windowDays * DAY_MS + 1, to: latestOrigin };
}

/**
 * Rewrites `predictions_monitoring.parquet` as the forecasts of origins in the last `windowDays`
 * days up to the latest origin. The partition files are joined row group by row group, without
 * decoding them. Returns its row count.
 */
export async function writeHistoryWindow(storage: Storage, state: ForecastsState, windowDays: number): Promise<number> {
  if (state.latestOrigin === null) return 0;
  const { from, to } = windowOrigins(state.latestOrigin, windowDays);
  const parts = await listParts(storage, from, to);
  if (parts.length === 0) return 0;
  const files = await mapLimit(parts, STORAGE_CALLS_IN_FLIGHT, (p) => storage.read(p.key));
  const spliced = splicedParquet(files);
  await storage.write(outputKeys.history, spliced.bytes, { contentType: "application/vnd.apache.parquet" });
  return spliced.rows;
}

/**
 * The forecast history for readers (the report's data loaders): the compacted window, forecasts
 * whose target hour is at or after `from` when given. Undefined when there is none yet.
 */
export async function readForecastHistory(storage: Storage, keys: readonly KeyColumn[], options: { from?: number } = {}): Promise<ColumnTable | undefined> {
  const bytes = await readIfExists(storage, outputKeys.history);
  if (bytes === undefined) return undefined;
  const table = readParquet(bytes, predictionsSchema(keys), outputKeys.history);
  const from = options.from;
  if (from === undefined || !Number.isFinite(from)) return table;
  return table.params({ from }).filter((d: { datetime_utc: number }, $: { from: number }) => d.datetime_utc >= $.from);
}
