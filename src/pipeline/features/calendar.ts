import { ConfigError } from "../core/errors.js";
import { DAY_MS, HOUR_MS } from "../time/index.js";
import { checkZone, offsetAt } from "../time/zone.js";

/**
 * The calendar a dataset's series live by: consumption follows the clock people live by (an
 * office opens at 08:00 local, which is 07:00 UTC in a Copenhagen winter and 06:00 UTC in its
 * summer) and rests on their holidays. Hour of day, day of week and day kind are taken in the
 * calendar's zone. The calendar is a fact of the dataset: its preset supplies it, and a dataset
 * given by flags lives in its time zone with no holidays unless told (`--holidays`).
 */

/** Holiday sets the workbench knows: none, or Denmark's (features/holidays.ts). */
export const HOLIDAY_SETS = ["none", "DK"] as const;
/** One of {@link HOLIDAY_SETS}. */
export type HolidaySet = (typeof HOLIDAY_SETS)[number];

/** A dataset's calendar: the IANA zone of its wall clock and its holidays. */
export interface CalendarSpec {
  /** `UTC` or an IANA zone; hour of day and weekday are read on this clock. */
  zone: string;
  /** Which days are holidays. */
  holidays: HolidaySet;
}

/**
 * Danish consumption's calendar: the Energi Data Service presets supply it, and models saved
 * before calendars were part of the dataset were trained on it (their JSON names none).
 */
export const DANISH_CALENDAR: CalendarSpec = Object.freeze({ zone: "Europe/Copenhagen", holidays: "DK" });

/** Throws a {@link ConfigError} naming `where` unless `raw` is a calendar with a known zone and holiday set. */
export function checkCalendar(raw: unknown, where: string): CalendarSpec {
  const r = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof r.zone !== "string") throw new ConfigError(`${where}: calendar.zone must be UTC or an IANA zone name, got ${JSON.stringify(r.zone)}`);
  const holidays = r.holidays ?? "none";
  if (!(HOLIDAY_SETS as readonly unknown[]).includes(holidays)) {
    throw new ConfigError(`${where}: calendar.holidays (--holidays) must be one of ${HOLIDAY_SETS.join(", ")}, got ${JSON.stringify(holidays)}`);
  }
  return { zone: checkZone(r.zone, `${where}: calendar.zone (--calendar-zone)`), holidays: holidays as HolidaySet };
}

const dstCache = new Map<number, readonly [number, number]>();

/** Epoch ms of 01:00 UTC on the last Sunday of `month` (0-based) in `year`. */
function lastSundayOneUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0, 1);
  const weekday = new Date(lastDay).getUTCDay(); // 0 = Sunday
  return lastDay - weekday * DAY_MS;
}

/**
 * `[start, end)` of EU summer time in `year`, epoch ms: from the last Sunday of March 01:00 UTC
 * to the last Sunday of October 01:00 UTC (Denmark's rule since 1996).
 */
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

/** Offsets (ms) of other zones by hour index, since `Intl` is slow per call and features read every hour. */
const zoneOffsets = new Map<string, Map<number, number>>();

/**
 * Offset of `zone`'s wall clock from UTC at the instant `ms`, in ms. Copenhagen's is computed by
 * the EU rule, identical on every machine whatever its time zone database; other zones ask `Intl`.
 */
export function zoneOffsetMs(zone: string, ms: number): number {
  if (zone === "UTC") return 0;
  if (zone === "Europe/Copenhagen") return copenhagenOffsetHours(ms) * HOUR_MS;
  let offsets = zoneOffsets.get(zone);
  if (!offsets) zoneOffsets.set(zone, (offsets = new Map()));
  const hour = Math.floor(ms / HOUR_MS);
  let off = offsets.get(hour);
  if (off === undefined) offsets.set(hour, (off = offsetAt(zone, hour * HOUR_MS)));
  return off;
}

/** Calendar facts of one hour, on a calendar's wall clock. */
export interface LocalHour {
  /** Hour of day 0..23. */
  hour: number;
  /** Day of week, Monday = 0 .. Sunday = 6. */
  weekday: number;
  /** Days since 1970-01-01 of the local date (the key of `dayKind`'s lookup). */
  day: number;
}

/** Local hour of day, weekday (Monday = 0) and day number of the UTC instant `ms` in `calendar`'s zone. */
export function localHour(ms: number, calendar: Pick<CalendarSpec, "zone">): LocalHour {
  const wall = ms + zoneOffsetMs(calendar.zone, ms);
  const day = Math.floor(wall / DAY_MS);
  const hour = Math.floor((wall - day * DAY_MS) / HOUR_MS);
  // 1970-01-01 was a Thursday: weekday 3 with Monday = 0.
  const weekday = (((day + 3) % 7) + 7) % 7;
  return { hour, weekday, day };
}
