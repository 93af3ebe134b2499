import { PipelineError } from "../core/errors.js";
import type { DatasetSpec } from "../dataset/spec.js";
import type { KeyValue } from "../series/key.js";
import type { TimeRange } from "../time/index.js";
import type { RawColumns } from "./records.js";

export type { TimeRange } from "../time/index.js";

/**
 * An extract that stopped part-way (the Energi Data Service's rate limit outlasted the wait
 * budget) but holds the complete hours before `completeUntil`: ingest stores those, so the next
 * tick continues after them instead of starting over, and then fails with this error's message.
 */
export class PartialExtractError extends PipelineError {
  constructor(
    message: string,
    /** Rows of complete hours only, sorted by time (possibly empty). */
    readonly partial: RawColumns,
    /** Exclusive end of the complete hours. */
    readonly completeUntil: number,
  ) {
    super("ingest", message);
    this.name = "PartialExtractError";
  }
}

/** Only the series whose key columns hold these values: source column -> allowed values. */
export type SeriesFilter = Record<string, KeyValue[]>;

/**
 * Where raw rows come from: the Energi Data Service API, or a CSV/parquet file (local or over
 * HTTP). Sources only extract; encoding keys into the canonical table is the transform's job.
 */
export interface Source {
  /** Human-readable origin for logs and run reports, e.g. `Energi Data Service API https://api.energidataservice.dk`. Never holds secrets. */
  readonly description: string;
  /**
   * Checked raw rows of the spec's columns whose UTC hour is in `[range.start, range.end)`,
   * sorted by time (rows of one hour in source order), only the series passing `filter`.
   */
  extract(range: TimeRange, spec: DatasetSpec, filter?: SeriesFilter): Promise<RawColumns>;
  /**
   * The time extent `[first hour, last hour + 1 h)` of what the source holds when it is cheaply
   * known (files), else undefined (the API).
   */
  extent(spec: DatasetSpec): Promise<TimeRange | undefined>;
  /** HTTP requests made so far (the API: for run reports and the rate-limit budget). */
  readonly requests?: number;
}

/**
 * Rejects a range that cannot be extracted (non-finite bounds, end not after start) before any
 * I/O, so a bad window never turns into an empty or unbounded request.
 */
export function checkRange(range: TimeRange, where: string): void {
  if (!Number.isFinite(range.start) || !Number.isFinite(range.end) || range.end <= range.start) {
    const show = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));
    throw new PipelineError(
      "ingest",
      `${where}: cannot extract the time range ${show(range.start)}..${show(range.end)}; expected finite epoch-ms bounds with end after start (this is a bug in the caller's window)`,
    );
  }
}

/**
 * A URL or path safe to print: user info, query and fragment removed (signed URLs carry tokens
 * in the query string).
 */
export function redactLocation(location: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location;
  try {
    const url = new URL(location);
    url.username = "";
    url.password = "";
    const hadQuery = url.search !== "";
    url.search = "";
    url.hash = "";
    // URL adds a "/" path to a bare origin; keep the location as the user wrote it.
    const href = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*[/]/i.test(location) ? url.href : url.href.replace(/\/$/, "");
    return href + (hadQuery ? "?…" : "");
  } catch {
    return location.replace(/[?#].*$/, "");
  }
}
