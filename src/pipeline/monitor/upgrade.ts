/**
 * Day files written before the current day format (monitor/incremental.ts, DAY_FORMAT_VERSION)
 * lack sums added since, such as the comparison with the seasonal-naive rules. Monitor reads the
 * days of its window through {@link readWindowDay}, which scores such a day again from the forecast
 * partitions and rewrites it: once per day and store, and only for days a window still reads, so
 * a store written by an older version gets complete tables on its next monitor without rescoring
 * its whole history.
 */
import type { FeatureStore } from "../featurestore/store.js";
import type { ForecastsState } from "../history/partitions.js";
import { utcDay } from "../history/partitions.js";
import type { KeyColumn } from "../series/key.js";
import type { Storage } from "../storage/storage.js";
import { DAY_FORMAT_VERSION, readDay, scoreDay, type DaySums } from "./incremental.js";

/** Whether a day file predates the current format. */
export function isOutdated(day: DaySums): boolean {
  return (day.formatVersion ?? 1) < DAY_FORMAT_VERSION;
}

/**
 * The sums of day `dayStart` (epoch ms, UTC midnight), scored again when its file predates the
 * current format; `scoredUntil` is the state's: the rescoring sees the truth the day was scored
 * with, not more. `upgraded` says whether it was rescored (the state's total of the day may then
 * change, when truth was revised since). Undefined when the day has no file.
 */
export async function readWindowDay(
  storage: Storage,
  store: FeatureStore,
  keys: readonly KeyColumn[],
  forecasts: ForecastsState,
  dayStart: number,
  scoredUntil: number,
): Promise<{ sums: DaySums; upgraded: boolean } | undefined> {
  const sums = await readDay(storage, utcDay(dayStart));
  if (!sums) return undefined;
  if (!isOutdated(sums)) return { sums, upgraded: false };
  const rescored = await scoreDay(storage, store, keys, forecasts, dayStart, scoredUntil);
  // No forecast partition reaches the day any more: keep what the file says.
  return rescored ? { sums: rescored, upgraded: true } : { sums, upgraded: false };
}
