import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import type { DatasetSpec } from "../dataset/spec.js";

/** A half-open UTC time range in epoch milliseconds: `start` included, `end` excluded. */
export interface TimeRange {
  start: number;
  end: number;
}

/**
 * Where raw rows come from: the Energi Data Service API, or a CSV/parquet file (local or over
 * HTTP). Sources only extract; renaming, casting and encoding are the transform's job.
 */
export interface Source {
  /** Human-readable origin for logs and run reports, e.g. `Energi Data Service API https://api.energidataservice.dk`. Never holds secrets. */
  readonly description: string;
  /**
   * Raw rows whose UTC hour is in `[range.start, range.end)`, sorted by time, as a table with
   * exactly the spec's five source columns (in the order timeUtc, timeLocal, area, consumerType,
   * value): times as the source wrote them (`2022-12-21T16:00:00`), area a string, consumer type
   * an integer number, value a number or null (validation decides about nulls).
   */
  extract(range: TimeRange, spec: DatasetSpec): Promise<ColumnTable>;
  /**
   * The time extent `[first hour, last hour + 1 h)` of what the source holds when it is cheaply
   * known (files), else undefined (the API).
   */
  extent(spec: DatasetSpec): Promise<TimeRange | undefined>;
}

/** Formats epoch ms as the API's `start`/`end` parameter form, `yyyy-MM-ddTHH:mm` (UTC). */
export function formatApiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** `2023-01-01T00:00..2023-01-02T00:00`, for messages. */
export function describeRange(range: TimeRange): string {
  return `${formatApiTime(range.start)}..${formatApiTime(range.end)}`;
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
