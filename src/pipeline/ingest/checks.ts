/**
 * What ingest checks a batch against besides the batch itself: the stored series (their last
 * hours and largest values, read from a recent span of the feature store) and the advice a
 * refusal ends with.
 */
import type { ColumnTable } from "arquero";
import type { Logger } from "../core/effects.js";
import type { Config } from "../config/config.js";
import { keyColumns, TIME_COLUMN, VALUE_COLUMN, type DatasetSpec } from "../dataset/spec.js";
import { DamagedPartError } from "../featurestore/parts.js";
import type { FeatureStore } from "../featurestore/store.js";
import { keyNames, rowSeriesId } from "../series/key.js";
import { DAY_MS, formatInstant, HOUR_MS, type TimeRange } from "../time/index.js";
import type { SeriesReference, StoredSeries, ValidationResult } from "../../validation/index.js";

/**
 * The stored rows a batch is compared with: from one hour before `continueFrom` (the series live
 * then must continue) and at least `referenceDays` back from the store's latest hour (their
 * largest values bound the batch's), up to the latest hour.
 */
export function referenceSpan(storeLatest: number, continueFrom: number, referenceDays: number): TimeRange {
  return { start: Math.min(continueFrom - HOUR_MS, storeLatest + HOUR_MS - referenceDays * DAY_MS), end: storeLatest + HOUR_MS };
}

/**
 * Each stored series' last hour and largest value within `span`. A damaged partition (missing or
 * corrupt file) is skipped with a warning rather than failing the ingest: re-ingesting a window
 * is how a damaged day is replaced. A group holding another dataset's key columns gives an empty
 * reference (the upsert refuses such a batch with its own message).
 */
export async function storedReference(store: FeatureStore, spec: DatasetSpec, span: TimeRange, logger: Logger): Promise<SeriesReference> {
  const table = await readSkippingDamage(store, span, logger);
  const keys = keyNames(keyColumns(spec));
  const series = new Map<string, StoredSeries>();
  const names = table.columnNames();
  if (!keys.every((k) => names.includes(k))) return { series };
  const n = table.numRows();
  // One short-lived id per row rather than an array of them all: the span can hold millions of rows.
  const keyArrays = keys.map((k) => table.array(k) as ArrayLike<unknown>);
  const times = table.array(TIME_COLUMN) as ArrayLike<number>;
  const values = table.array(VALUE_COLUMN) as ArrayLike<number | null>;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const value = typeof v === "number" && Number.isFinite(v) ? v : null;
    const id = rowSeriesId(keyArrays, i);
    const s = series.get(id);
    if (s === undefined) {
      series.set(id, { last: times[i], max: value });
      continue;
    }
    if (times[i] > s.last) s.last = times[i];
    if (value !== null && (s.max === null || value > s.max)) s.max = value;
  }
  return { series };
}

async function readSkippingDamage(store: FeatureStore, span: TimeRange, logger: Logger): Promise<ColumnTable> {
  try {
    return await store.read(span);
  } catch (error) {
    if (!(error instanceof DamagedPartError)) throw error;
  }
  const parts: ColumnTable[] = [];
  for (let day = Math.floor(span.start / DAY_MS) * DAY_MS; day < span.end; day += DAY_MS) {
    const range = { start: Math.max(day, span.start), end: Math.min(day + DAY_MS, span.end) };
    try {
      parts.push(await store.read(range));
    } catch (error) {
      if (!(error instanceof DamagedPartError)) throw error;
      logger.warn("ingest: a damaged partition is left out of the stored series the batch is checked against", {
        day: error.day,
        part: error.key,
        damage: error.damage,
      });
    }
  }
  return parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1));
}

/**
 * The advice a refused batch ends with, per failed store-aware expectation: the command that
 * fills a gap (an `ingest --full` whose window covers the missing hours), what to do about rows
 * from the future and implausible values; the general advice for the rest.
 */
export function refusalAdvice(result: ValidationResult, config: Config): string {
  const advice: string[] = [];
  let other = false;
  for (const r of result.results) {
    if (r.success) continue;
    const type = r.expectation_config.expectation_type;
    if (type === "expect_column_values_to_continue_stored_series" && !r.exception_info.raised_exception) {
      advice.push(fillAdvice((r.result.details as { fill: [string, string] }).fill, config));
    } else if (type === "expect_column_values_to_be_visible") {
      advice.push(
        `remove the rows dated at or after ${String(r.expectation_config.kwargs.visible_until)} from the source or correct their time ` +
          "(a mistyped year, a wrong --time-zone): they cannot have been published yet",
      );
    } else if (type === "expect_column_values_to_be_plausible") {
      const bases = (r.result.partial_unexpected_list ?? []).map((p) => (p as { basis?: unknown }).basis);
      advice.push(
        bases.length > 0 && bases.every((b) => b === "absolute_max")
          ? "correct the values at the source: a value beyond float32's range is never accepted"
          : `correct the implausible values at the source (a unit or decimal-separator mix-up?), or raise MAX_VALUE_RATIO (now ${config.maxValueRatio})`,
      );
    } else {
      other = true;
    }
  }
  if (other) advice.push("fix the source data or the suite");
  return advice.join("; ");
}

/** `ingest the missing hours A..B first, ...`: the as-of whose window ends where the batch starts. */
function fillAdvice(fill: [string, string], config: Config): string {
  const range = { start: Date.parse(fill[0]), end: Date.parse(fill[1]) };
  const { delayDays, exportDays } = config.window;
  const asOf = range.end + delayDays * DAY_MS;
  const needDays = Math.ceil((range.end - range.start) / DAY_MS);
  const exportFlag = exportDays * DAY_MS < range.end - range.start ? ` --days-export ${needDays}` : "";
  return (
    `ingest the missing hours ${fill[0]}..${fill[1]} first, from a source that holds them ` +
    `(energy-forecast ingest --full --as-of ${formatInstant(asOf).replace(/Z$/, "")} --days-delay ${delayDays}${exportFlag}: its window ends at ${formatInstant(range.end)}), ` +
    "then this batch again"
  );
}
