import { DAY_MS, HOUR_MS } from "../time/index.js";

/**
 * Danish local time without `Intl`: consumption follows the clock people live by (an office
 * opens at 08:00 local, which is 07:00 UTC in winter and 06:00 UTC in summer), so hour of day,
 * day of week and holidays are taken in Europe/Copenhagen time. Denmark follows the EU rule since
 * 1996: CET (UTC+1), and CEST (UTC+2) from the last Sunday of March 01:00 UTC to the last Sunday
 * of October 01:00 UTC. Computing it keeps the features identical on every machine whatever its
 * time zone database.
 */

const dstCache = new Map<number, readonly [number, number]>();

/** Epoch ms of 01:00 UTC on the last Sunday of `month` (0-based) in `year`. */
function lastSundayOneUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0, 1);
  const weekday = new Date(lastDay).getUTCDay(); // 0 = Sunday
  return lastDay - weekday * DAY_MS;
}

/** `[start, end)` of summer time in `year`, epoch ms. */
export function summerTime(year: number): readonly [number, number] {
  let span = dstCache.get(year);
  if (!span) {
    span = [lastSundayOneUtc(year, 2), lastSundayOneUtc(year, 9)] as const;
    dstCache.set(year, span);
  }
  return span;
}

/** Offset of Danish local time from UTC at the instant `ms`, in hours (1 or 2). */
export function copenhagenOffsetHours(ms: number): number {
  const [start, end] = summerTime(new Date(ms).getUTCFullYear());
  return ms >= start && ms < end ? 2 : 1;
}

/** The instant `ms` shifted to Danish wall-clock time (still a number of ms; read it with UTC getters). */
export function toCopenhagenWallClock(ms: number): number {
  return ms + copenhagenOffsetHours(ms) * HOUR_MS;
}

/** Calendar facts of one hour, in Danish local time. */
export interface LocalHour {
  /** Hour of day 0..23. */
  hour: number;
  /** Day of week, Monday = 0 .. Sunday = 6. */
  weekday: number;
  /** Days since 1970-01-01 of the local date (the key of {@link holidayKind}'s lookup). */
  day: number;
}

/** Local hour of day, weekday (Monday = 0) and day number of the UTC instant `ms`. */
export function localHour(ms: number): LocalHour {
  const wall = toCopenhagenWallClock(ms);
  const day = Math.floor(wall / DAY_MS);
  const hour = Math.floor((wall - day * DAY_MS) / HOUR_MS);
  // 1970-01-01 was a Thursday: weekday 3 with Monday = 0.
  const weekday = (((day + 3) % 7) + 7) % 7;
  return { hour, weekday, day };
}
