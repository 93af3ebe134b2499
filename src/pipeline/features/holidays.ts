import { DAY_MS } from "../time/index.js";
import type { HolidaySet } from "./calendar.js";

/**
 * Danish public holidays, computed offline from the Easter date and fixed days (no network, no
 * library: `date-holidays` is not available here and the rules are short).
 */

/** Kinds of day, as the holiday feature encodes them (ordered by how much business closes). */
export const DayKind = {
  /** An ordinary day. */
  ordinary: 0,
  /** A working day between Christmas and New Year (Dec 27-30), when much industry is on leave. */
  christmasWeek: 1,
  /** Not a statutory holiday but mostly a day off: Christmas Eve, New Year's Eve, Constitution Day. */
  customary: 2,
  /** A statutory public holiday. */
  public: 3,
} as const;

/** One of {@link DayKind}'s values. */
export type DayKindValue = (typeof DayKind)[keyof typeof DayKind];

/**
 * Easter Sunday of `year` (Gregorian calendar) as `[month (1-12), day]`, by the anonymous
 * Gregorian algorithm (Meeus/Jones/Butcher).
 */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** A named Danish holiday on a date. */
export interface Holiday {
  /** `yyyy-MM-dd`. */
  date: string;
  name: string;
  kind: DayKindValue;
}

/**
 * The Danish public holidays of `year`, plus the customary days off the reference's holiday flag
 * included (Christmas Eve, New Year's Eve) and Constitution Day (June 5, a customary half or whole
 * day off). Great Prayer Day (Easter + 26) was abolished from 2024 and is listed only before.
 */
export function danishHolidays(year: number): Holiday[] {
  const [em, ed] = easterSunday(year);
  const easter = Date.UTC(year, em - 1, ed);
  const rel = (days: number, name: string): Holiday => ({ date: iso(easter + days * DAY_MS), name, kind: DayKind.public });
  const fixed = (month: number, day: number, name: string, kind: DayKindValue = DayKind.public): Holiday => ({
    date: iso(Date.UTC(year, month - 1, day)),
    name,
    kind,
  });
  const list: Holiday[] = [fixed(1, 1, "New Year's Day"), rel(-3, "Maundy Thursday"), rel(-2, "Good Friday"), rel(0, "Easter Sunday"), rel(1, "Easter Monday")];
  if (year <= 2023) list.push(rel(26, "Great Prayer Day"));
  list.push(
    rel(39, "Ascension Day"),
    rel(49, "Whit Sunday"),
    rel(50, "Whit Monday"),
    fixed(6, 5, "Constitution Day", DayKind.customary),
    fixed(12, 24, "Christmas Eve", DayKind.customary),
    fixed(12, 25, "Christmas Day"),
    fixed(12, 26, "Boxing Day"),
    fixed(12, 31, "New Year's Eve", DayKind.customary),
  );
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

const kindsByYear = new Map<number, Map<number, DayKindValue>>();

function kindsOf(year: number): Map<number, DayKindValue> {
  let kinds = kindsByYear.get(year);
  if (!kinds) {
    kinds = new Map();
    for (let d = 27; d <= 30; d++) kinds.set(Date.UTC(year, 11, d) / DAY_MS, DayKind.christmasWeek);
    for (const h of danishHolidays(year)) kinds.set(Date.parse(h.date + "T00:00:00Z") / DAY_MS, h.kind);
    kindsByYear.set(year, kinds);
  }
  return kinds;
}

/**
 * The kind of the local calendar day `day` (days since 1970-01-01, as `localHour` gives) in the
 * holiday set `holidays`: public holiday, customary day off, Christmas-week working day, or
 * ordinary. Without holidays (`none`) every day is ordinary; weekends are the weekday's business.
 */
export function dayKind(day: number, holidays: HolidaySet): DayKindValue {
  if (holidays === "none") return DayKind.ordinary;
  const year = new Date(day * DAY_MS).getUTCFullYear();
  return kindsOf(year).get(day) ?? DayKind.ordinary;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
