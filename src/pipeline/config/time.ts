import { ConfigError } from "../core/errors.js";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Parses a UTC instant given on the command line or in the environment: `2023-01-14T22:00`,
 * `2023-01-14T22:00:00Z`, `2023-01-14` (midnight UTC). A time without an offset is read as UTC,
 * never as the machine's local time.
 */
export function parseInstant(raw: string, name: string): number {
  const s = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  const t = m ? Date.parse(m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : /Z|[+-]\d/.test(m[7] ?? "") ? s.replace(" ", "T") : `${s.replace(" ", "T")}Z`) : NaN;
  if (!Number.isFinite(t)) {
    throw new ConfigError(`${name} must be an ISO date or time in UTC like 2023-01-14T22:00, got "${raw}"`);
  }
  return t;
}

/** Formats epoch ms as `yyyy-MM-ddTHH:mmZ` for messages. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + "Z";
}

/** Floors epoch ms to the start of its UTC hour. */
export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}
