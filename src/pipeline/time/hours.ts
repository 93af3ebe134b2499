import { ConfigError } from "../core/errors.js";

/** One hour in milliseconds: the step of every series. */
export const HOUR_MS = 3_600_000;
/** One day in milliseconds. */
export const DAY_MS = 24 * HOUR_MS;

/** Floors epoch ms to the start of its UTC hour. */
export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * The last hour whose data is visible at `asOf` when the source publishes with a delay of
 * `delayDays`: the exclusive end `floorHour(asOf - delay)`. Every step that needs "what could be
 * known at as-of" (ingest window, tick, predict, report, notebooks) uses this one function.
 */
export function visibleUntil(asOf: number, delayDays: number): number {
  return floorHour(asOf - delayDays * DAY_MS);
}

/** Formats epoch ms as `yyyy-MM-ddTHH:mmZ` for messages. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + "Z";
}

/** Formats an instant (epoch ms or ISO text) to the second, e.g. `2023-01-01T00:00:00Z`, for messages. */
export function formatSecond(t: number | string): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/**
 * Parses a wall-clock time `yyyy-MM-ddTHH:mm[:ss]` (or with a space) as if it were UTC, to
 * epoch ms; NaN for anything else, including impossible dates such as `2023-02-30T00:00`.
 * Zone conversion is {@link ../time/zone.ts}'s job.
 */
export function parseWallTime(text: string): number {
  const m = WALL_RE.exec(text);
  if (!m) return NaN;
  return wallParts(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] === undefined ? 0 : +m[6]);
}

function wallParts(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return NaN;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d ? ms : NaN;
}

/** Epoch ms -> `yyyy-MM-ddTHH:mm:ss`, the form the Energi Data Service and its CSV files use. */
export function formatWallTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** Epoch ms -> `yyyy-MM-ddTHH:mm` (UTC), the API's `start`/`end` parameter form. */
export function formatApiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/**
 * Parses a UTC instant given on the command line or in the environment: `2023-01-14T22:00`,
 * `2023-01-14T22:00:00Z`, `2023-01-14T23:00+01:00`, `2023-01-14` (midnight UTC). A time without
 * an offset is UTC, never the machine's local time; an impossible date (`2023-02-30`) is refused.
 */
export function parseInstant(raw: string, name: string): number {
  const s = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  let t = NaN;
  if (m) {
    t = wallParts(+m[1], +m[2], +m[3], m[4] === undefined ? 0 : +m[4], m[5] === undefined ? 0 : +m[5], m[6] === undefined ? 0 : +m[6]);
    const off = m[7];
    if (off !== undefined && off !== "Z" && Number.isFinite(t)) {
      const o = /([+-])(\d{2}):?(\d{2})/.exec(off)!;
      t -= (o[1] === "-" ? -1 : 1) * (+o[2] * 60 + +o[3]) * 60_000;
    }
  }
  if (!Number.isFinite(t)) {
    throw new ConfigError(`${name} must be an existing ISO date or time in UTC like 2023-01-14T22:00, got "${raw}"`);
  }
  return t;
}

/** A half-open UTC time range in epoch milliseconds: `start` included, `end` excluded. */
export interface TimeRange {
  start: number;
  end: number;
}

/** `2023-01-01T00:00..2023-01-02T00:00`, for messages. */
export function describeRange(range: TimeRange): string {
  return `${formatApiTime(range.start)}..${formatApiTime(range.end)}`;
}

/** Number of whole hours in a range. */
export function hoursIn(range: TimeRange): number {
  return Math.round((range.end - range.start) / HOUR_MS);
}
