import { PipelineError } from "../core/errors.js";
import { DAY_MS, floorHour, formatInstant, hoursIn as hoursOf, visibleUntil } from "../time/index.js";
import type { TimeRange } from "./source.js";

/** The extraction window of one run and how it relates to the data that exists. */
export interface IngestWindow {
  /** What the reference's semantics ask for: [asOf - delay - export, asOf - delay). */
  requested: TimeRange;
  /** The requested window clamped to the source's extent (equal to `requested` when unknown). */
  range: TimeRange;
  /** Hours in `range` / hours in `requested`; below 1 the window is short. */
  coverage: number;
}

/**
 * The reference's window: as of time T with a data delay of D days and an export of N days,
 * extract [T - D - N, T - D), on hour boundaries. `extent` is what the source holds, when known:
 * the window is clamped to it, and an empty intersection is an error that says what exists.
 */
export function ingestWindow(asOf: number, delayDays: number, exportDays: number, extent?: TimeRange): IngestWindow {
  const end = visibleUntil(asOf, delayDays);
  const start = floorHour(end - exportDays * DAY_MS);
  const requested = { start, end };
  if (!extent) return { requested, range: requested, coverage: 1 };
  const range = { start: Math.max(start, extent.start), end: Math.min(end, extent.end) };
  if (range.end <= range.start) {
    throw new PipelineError(
      "ingest",
      `window ${formatInstant(start)}..${formatInstant(end)} (as of ${formatInstant(asOf)}, ${delayDays} days delay, ${exportDays} days export) ` +
        `has no data: the source covers ${formatInstant(extent.start)}..${formatInstant(extent.end)}; check --as-of and --days-delay`,
    );
  }
  return { requested, range, coverage: (range.end - range.start) / (end - start) };
}

/**
 * The as-of time at which a source's last hour has just become visible: extent end + delay.
 * Used as the default as-of for file sources, whose data stops in the past.
 */
export function latestAsOf(extent: TimeRange, delayDays: number): number {
  return extent.end + delayDays * DAY_MS;
}

/** Number of whole hours in a range. */
export const hoursIn = hoursOf;
