import { describe, expect, it } from "vitest";
import { copenhagenOffsetHours, localHour, summerTime } from "../../../src/pipeline/features/calendar.js";
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
    expect(dayKind(day(2022, 12, 24))).toBe(DayKind.customary);
    expect(dayKind(day(2022, 12, 25))).toBe(DayKind.public);
    expect(dayKind(day(2022, 12, 26))).toBe(DayKind.public);
    expect(dayKind(day(2022, 12, 27))).toBe(DayKind.christmasWeek);
    expect(dayKind(day(2022, 12, 30))).toBe(DayKind.christmasWeek);
    expect(dayKind(day(2022, 12, 31))).toBe(DayKind.customary);
    expect(dayKind(day(2023, 1, 1))).toBe(DayKind.public);
    expect(dayKind(day(2023, 1, 2))).toBe(DayKind.ordinary);
    expect(dayKind(day(2023, 4, 7))).toBe(DayKind.public);
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
    expect(localHour(Date.UTC(2023, 0, 9, 7))).toEqual({ hour: 8, weekday: 0, day: day(2023, 1, 9) });
    // Monday 2023-07-03 06:00 UTC is 08:00 (summer).
    expect(localHour(Date.UTC(2023, 6, 3, 6))).toEqual({ hour: 8, weekday: 0, day: day(2023, 7, 3) });
    // 23:00 UTC on Saturday Dec 24 is already Sunday Dec 25 locally.
    expect(localHour(Date.UTC(2022, 11, 24, 23))).toEqual({ hour: 0, weekday: 6, day: day(2022, 12, 25) });
  });
});
