import { PipelineError } from "../core/errors.js";
import { DAY_MS, floorHour, formatInstant, HOUR_MS, visibleUntil } from "../time/index.js";
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
 * The as-of time at which a source's last hour has just become visible: extent end + delay, the
 * default as-of for file sources, whose data stops in the past. With `now`, an extent reaching
 * into the future counts only up to {@link presentEnd}: one row dated 2099 must not move the
 * window to 2099 (ingest refuses that row instead).
 */
export function latestAsOf(extent: TimeRange, delayDays: number, now?: number): number {
  const end = now === undefined ? extent.end : Math.min(extent.end, presentEnd(now));
  return end + delayDays * DAY_MS;
}

/**
 * The end of what can have been measured at `now`: the end of the current hour. A source's rows
 * dated at or after it are from the future whatever the as-of.
 */
export function presentEnd(now: number): number {
  return floorHour(now) + HOUR_MS;
}

/**
 * A source's extent split at the present: the part that can be ingested (undefined when the
 * source holds only future rows) and the future part (undefined when there is none), which
 * ingest extracts only to refuse it.
 */
export function splitAtPresent(extent: TimeRange, now: number): { past?: TimeRange; future?: TimeRange } {
  const cut = presentEnd(now);
  return {
    ...(extent.start < cut ? { past: { start: extent.start, end: Math.min(extent.end, cut) } } : {}),
    ...(extent.end > cut ? { future: { start: Math.max(extent.start, cut), end: extent.end } } : {}),
  };
}
