import { describe, expect, it } from "vitest";
import type { Panel } from "../../../src/pipeline/features/panel.js";
import { loadForecaster } from "../../../src/pipeline/models/catalog.js";
import { calibrate } from "../../../src/pipeline/models/conformal.js";
import { ProfileNaive } from "../../../src/pipeline/models/profile-naive.js";
import type { KeyColumn } from "../../../src/pipeline/series/key.js";

const H = 3_600_000;
const KEY_COLUMNS: KeyColumn[] = [{ name: "meter", type: "utf8" }];

/** Two series from `start`: values[i] = i and 1000 + i. */
function panel(start: number, hours: number): Panel {
  return {
    start,
    hours,
    keyColumns: KEY_COLUMNS,
    keys: [["a"], ["b"]],
    values: [Float64Array.from({ length: hours }, (_, i) => i), Float64Array.from({ length: hours }, (_, i) => 1000 + i)],
  };
}

// Monday 2023-03-06 00:00 UTC (01:00 in Copenhagen), no holiday for weeks.
const MONDAY = Date.UTC(2023, 2, 6);

describe("profile naive", () => {
  it("averages the same hour of the last known days of the target's day type", () => {
    const m = new ProfileNaive(3);
    m.fit(panel(MONDAY, 200)); // last hour: index 199, Tuesday Mar 14 07:00 UTC
    const f = m.forecast(24);
    // Step 1, Tuesday 08:00 UTC: Monday (index 176), Friday (104), Thursday (80); the weekend skipped.
    expect(f.point[0]).toBe((176 + 104 + 80) / 3);
    expect(f.point[24]).toBe(1000 + (176 + 104 + 80) / 3);
    // Step 24, Wednesday 07:00 UTC: Tuesday (199) is known by then.
    expect(f.point[23]).toBe((199 + 175 + 103) / 3);
    expect(f.origin).toBe(MONDAY + 199 * H);
  });

  it("uses the days it finds when fewer are known, and gives NaN when none is", () => {
    const m = new ProfileNaive(3);
    // Monday .. Friday: the first targets are on Saturday, a day type not seen yet.
    m.fit(panel(MONDAY, 120));
    const f = m.forecast(24);
    expect(f.point[0]).toBeNaN();
    expect(Array.from(new ProfileNaive(3).forecast(1, panel(MONDAY, 30)).point)).toEqual([6, 1006]);
  });

  it("takes the same local hour across a daylight-saving change", () => {
    // Monday 2023-03-27 08:00 UTC is 10:00 in Copenhagen (summer time); the Friday before, 10:00 was 09:00 UTC.
    const start = Date.UTC(2023, 2, 20);
    const t = 7 * 24 + 8;
    const f = new ProfileNaive(1).forecast(1, panel(start, t));
    expect(f.point[0]).toBe(t - 72 + 1);
  });

  it("saves and loads through the catalog's loader, with its calibration", () => {
    const m = new ProfileNaive(5);
    // Nine residuals -0.4 .. 0.4: the conformal 80 % band is -0.4 .. +0.4 around the forecast.
    m.calibration = calibrate({ step: Array(9).fill(1), rel: [-0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4] }, 1);
    const back = loadForecaster(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back).toBeInstanceOf(ProfileNaive);
    expect(back.name).toBe("profile-naive-5");
    const f = back.forecast(1, panel(MONDAY, 200));
    const point = (176 + 104 + 80 + 56 + 32) / 5;
    expect(f.point[0]).toBe(point);
    expect([f.lower80[0], f.upper80[0]]).toEqual([point * (1 - 0.4), point * (1 + 0.4)]);
  });

  it("reads days on the dataset's calendar: Christmas is a holiday only where the calendar says so", () => {
    // Monday 2023-12-25 12:00 UTC is the first target; the history ends on the Sunday before.
    const start = Date.UTC(2023, 11, 4);
    const hours = 21 * 24 + 12;
    const danish = new ProfileNaive(1, { zone: "UTC", holidays: "DK" }).forecast(1, panel(start, hours));
    const plain = new ProfileNaive(1, { zone: "UTC", holidays: "none" }).forecast(1, panel(start, hours));
    // With Danish holidays Christmas Day is Sunday-like: the Sunday before (Dec 24, 12:00); without, a working day: Friday Dec 22.
    expect(danish.point[0]).toBe(hours - 24);
    expect(plain.point[0]).toBe(hours - 72);
    // In New York, 12:00 UTC is 07:00 on the local clock: the same local hour on Friday is 12:00 UTC as well (no DST in December).
    expect(new ProfileNaive(1, { zone: "America/New_York", holidays: "none" }).forecast(1, panel(start, hours)).point[0]).toBe(hours - 72);
    // The calendar is saved with the model; a model saved without one was built on the Danish calendar.
    const json = new ProfileNaive(1, { zone: "America/New_York", holidays: "none" }).toJSON();
    expect(json.calendar).toEqual({ zone: "America/New_York", holidays: "none" });
    expect((loadForecaster(JSON.parse(JSON.stringify(json))) as ProfileNaive).calendar).toEqual({ zone: "America/New_York", holidays: "none" });
    const { calendar: _dropped, ...legacy } = json;
    expect((loadForecaster(legacy) as ProfileNaive).calendar).toEqual({ zone: "Europe/Copenhagen", holidays: "DK" });
    expect(() => loadForecaster({ ...json, calendar: { zone: "UTC", holidays: "XX" } })).toThrow(
      'model profile-naive-1: calendar.holidays (--holidays) must be one of none, DK, got "XX"',
    );
  });

  it("with levelHours, scales each series' profile to the level of its last hours, within the clamp", () => {
    // Three working weeks on UTC without holidays; the last day (Tuesday Mar 21) runs 10 % above
    // the days before in series a, twice as high in series b.
    const hours = 16 * 24;
    const p: Panel = { ...panel(MONDAY, hours), values: [new Float64Array(hours).fill(100), new Float64Array(hours).fill(1000)] };
    for (let t = hours - 24; t < hours; t++) {
      p.values[0][t] = 110;
      p.values[1][t] = 2000;
    }
    const utc = { zone: "UTC", holidays: "none" } as const;
    const plain = new ProfileNaive(3, utc).forecast(24, p);
    // Wednesday's profile: Tuesday, Monday and Friday at that hour.
    expect(plain.point[0]).toBeCloseTo((110 + 100 + 100) / 3, 9);
    const level = new ProfileNaive(3, utc, 24);
    expect(level.name).toBe("profile-naive-3-level-24");
    const f = level.forecast(24, p);
    // Series a: Tuesday's 24 hours against their profile from the days before (100): 1.1.
    expect(f.point[0]).toBeCloseTo(((110 + 100 + 100) / 3) * 1.1, 9);
    expect(f.point[23]).toBeCloseTo(((110 + 100 + 100) / 3) * 1.1, 9);
    // Series b: a ratio of 2 is clamped to 1.25.
    expect(f.point[24]).toBeCloseTo(((2000 + 1000 + 1000) / 3) * 1.25, 9);
    // A missing recent hour is left out of the ratio, not counted as zero.
    p.values[0][hours - 1] = NaN;
    expect(level.forecast(1, p).point[0]).toBeCloseTo(((110 + 100 + 100) / 3) * 1.1, 9);
    // Saved and loaded with the model; a model saved without it has no level.
    const json = level.toJSON();
    expect(json.levelHours).toBe(24);
    expect((loadForecaster(JSON.parse(JSON.stringify(json))) as ProfileNaive).levelHours).toBe(24);
    const { levelHours: _dropped, ...legacy } = json;
    expect((loadForecaster(legacy) as ProfileNaive).levelHours).toBe(0);
    expect(() => new ProfileNaive(3, utc, -1)).toThrow("model: profile naive: levelHours must be an integer from 0 (no level) to 168, got -1");
  });

  it("rejects a number of days it cannot look back for", () => {
    expect(() => new ProfileNaive(0)).toThrow("model: profile naive: days must be an integer from 1 to 28, got 0");
    expect(() => new ProfileNaive(29)).toThrow("got 29");
  });
});
