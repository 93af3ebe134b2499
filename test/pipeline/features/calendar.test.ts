import { describe, expect, it } from "vitest";
import { checkCalendar, copenhagenOffsetHours, DANISH_CALENDAR, localHour, summerTime, zoneOffsetMs } from "../../../src/pipeline/features/calendar.js";
import { calendarGrid } from "../../../src/pipeline/features/calendar-grid.js";
import { danishHolidays, dayKind, DayKind, easterSunday } from "../../../src/pipeline/features/holidays.js";

const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;

describe("easterSunday", () => {
  it.each([
    [2008, 3, 23],
    [2011, 4, 24],
    [2019, 4, 21],
    [2020, 4, 12],
    [2021, 4, 4],
    [2022, 4, 17],
    [2023, 4, 9],
    [2024, 3, 31],
    [2025, 4, 20],
    [2038, 4, 25],
  ])("%i: %i/%i", (year, month, d) => {
    expect(easterSunday(year)).toEqual([month, d]);
  });
});

describe("danishHolidays", () => {
  it("lists 2023's public holidays, Great Prayer Day included, and the customary days off", () => {
    expect(danishHolidays(2023).map((h) => `${h.date} ${h.kind}`)).toEqual([
      "2023-01-01 3",
      "2023-04-06 3",
      "2023-04-07 3",
      "2023-04-09 3",
      "2023-04-10 3",
      "2023-05-05 3",
      "2023-05-18 3",
      "2023-05-28 3",
      "2023-05-29 3",
      "2023-06-05 2",
      "2023-12-24 2",
      "2023-12-25 3",
      "2023-12-26 3",
      "2023-12-31 2",
    ]);
  });

  it("drops Great Prayer Day from 2024 (abolished)", () => {
    const names = danishHolidays(2024).map((h) => h.name);
    expect(names).not.toContain("Great Prayer Day");
    expect(danishHolidays(2024).find((h) => h.name === "Ascension Day")?.date).toBe("2024-05-09");
  });

  it("classifies days: public, customary, Christmas week, ordinary", () => {
    expect(dayKind(day(2022, 12, 24), "DK")).toBe(DayKind.customary);
    expect(dayKind(day(2022, 12, 25), "DK")).toBe(DayKind.public);
    expect(dayKind(day(2022, 12, 26), "DK")).toBe(DayKind.public);
    expect(dayKind(day(2022, 12, 27), "DK")).toBe(DayKind.christmasWeek);
    expect(dayKind(day(2022, 12, 30), "DK")).toBe(DayKind.christmasWeek);
    expect(dayKind(day(2022, 12, 31), "DK")).toBe(DayKind.customary);
    expect(dayKind(day(2023, 1, 1), "DK")).toBe(DayKind.public);
    expect(dayKind(day(2023, 1, 2), "DK")).toBe(DayKind.ordinary);
    expect(dayKind(day(2023, 4, 7), "DK")).toBe(DayKind.public);
  });
});

describe("Danish local time", () => {
  it("switches to summer time on the last Sunday of March and back on the last Sunday of October, at 01:00 UTC", () => {
    expect(summerTime(2023)).toEqual([Date.UTC(2023, 2, 26, 1), Date.UTC(2023, 9, 29, 1)]);
    expect(copenhagenOffsetHours(Date.UTC(2023, 2, 26, 0))).toBe(1);
    expect(copenhagenOffsetHours(Date.UTC(2023, 2, 26, 1))).toBe(2);
    expect(copenhagenOffsetHours(Date.UTC(2023, 9, 29, 0))).toBe(2);
    expect(copenhagenOffsetHours(Date.UTC(2023, 9, 29, 1))).toBe(1);
  });

  it("gives the local hour, weekday (Monday = 0) and local date", () => {
    // Monday 2023-01-09 07:00 UTC is 08:00 in Copenhagen (winter).
    expect(localHour(Date.UTC(2023, 0, 9, 7), DANISH_CALENDAR)).toEqual({ hour: 8, weekday: 0, day: day(2023, 1, 9) });
    // Monday 2023-07-03 06:00 UTC is 08:00 (summer).
    expect(localHour(Date.UTC(2023, 6, 3, 6), DANISH_CALENDAR)).toEqual({ hour: 8, weekday: 0, day: day(2023, 7, 3) });
    // 23:00 UTC on Saturday Dec 24 is already Sunday Dec 25 locally.
    expect(localHour(Date.UTC(2022, 11, 24, 23), DANISH_CALENDAR)).toEqual({ hour: 0, weekday: 6, day: day(2022, 12, 25) });
  });
});

describe("any dataset's calendar", () => {
  const NEW_YORK = { zone: "America/New_York", holidays: "none" } as const;

  it("reads hours on the dataset's zone, daylight saving included", () => {
    // Monday 2023-01-09 13:00 UTC is 08:00 in New York (EST, UTC-5); 2023-07-03 12:00 UTC too (EDT, UTC-4).
    expect(localHour(Date.UTC(2023, 0, 9, 13), NEW_YORK)).toEqual({ hour: 8, weekday: 0, day: day(2023, 1, 9) });
    expect(localHour(Date.UTC(2023, 6, 3, 12), NEW_YORK)).toEqual({ hour: 8, weekday: 0, day: day(2023, 7, 3) });
    // 02:00 UTC on Monday is still Sunday evening there.
    expect(localHour(Date.UTC(2023, 0, 9, 2), NEW_YORK)).toEqual({ hour: 21, weekday: 6, day: day(2023, 1, 8) });
    expect(zoneOffsetMs("UTC", Date.UTC(2023, 0, 9))).toBe(0);
    expect(localHour(Date.UTC(2023, 0, 9, 2), { zone: "UTC" })).toEqual({ hour: 2, weekday: 0, day: day(2023, 1, 9) });
  });

  it("knows Intl's Copenhagen offsets and the EU rule give the same hours", () => {
    for (let t = Date.UTC(2022, 0, 1); t < Date.UTC(2024, 0, 1); t += 3_600_000 * 7) {
      expect(localHour(t, { zone: "Europe/Copenhagen" })).toEqual(localHour(t, { zone: "Europe/Berlin" }));
    }
  });

  it("has no holidays unless the dataset names a set: Christmas is an ordinary Monday", () => {
    const christmasMonday = Date.UTC(2023, 11, 25, 12);
    const grid = (holidays: "DK" | "none") => calendarGrid(christmasMonday, 0, 1, { zone: "UTC", holidays });
    expect(dayKind(day(2023, 12, 25), "none")).toBe(DayKind.ordinary);
    expect(Array.from(grid("none").type)).toEqual([0]);
    expect(Array.from(grid("DK").type)).toEqual([3]);
  });

  it("checks a calendar's zone and holiday set, naming where it came from", () => {
    expect(checkCalendar({ zone: "Europe/Oslo" }, "preset x")).toEqual({ zone: "Europe/Oslo", holidays: "none" });
    expect(() => checkCalendar({ zone: "Mars/Olympus", holidays: "DK" }, "preset x")).toThrow(
      'preset x: calendar.zone (--calendar-zone) "Mars/Olympus" is not a known IANA time zone; use UTC or a name like Europe/Copenhagen',
    );
    expect(() => checkCalendar({ zone: "UTC", holidays: "SE" }, "preset x")).toThrow(
      'preset x: calendar.holidays (--holidays) must be one of none, DK, got "SE"',
    );
    expect(() => checkCalendar({}, "preset x")).toThrow("preset x: calendar.zone must be UTC or an IANA zone name, got undefined");
  });
});
