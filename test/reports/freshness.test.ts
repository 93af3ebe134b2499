/**
 * The Overview's "Data up to" verdict: against what the latest run could see and against what the
 * publication delay allows at build time, so old data never shows green; and the build time
 * tests inject through REPORT_BUILD_TIME.
 */
import { describe, expect, it } from "vitest";
import { buildTime } from "../../reports/data/lib/context.js";
import { freshness, lastRunState } from "../../reports/data/lib/freshness.js";

const LAST = Date.parse("2023-01-14T22:00:00Z");
/** The run as of 2023-01-30 00:00 with a 15-day delay saw data up to 2023-01-15 00:00 (excluded). */
const RUN = { last: LAST, rows: 44_308, delayDays: 15, visibleUntil: "2023-01-15T00:00:00.000Z" };

describe("data freshness on the Overview", () => {
  it("is green when the data is as recent as the delay allows, for the run and at build time", () => {
    expect(freshness({ ...RUN, builtAt: "2023-01-30T07:00:00.000Z" })).toEqual({
      state: "ok",
      behindRun: 1,
      behindBuild: 8,
      text: "complete: the source publishes with a 15-day delay",
    });
  });

  it("is red for 2023 data in a report built years later, however complete the last run was", () => {
    expect(freshness({ ...RUN, builtAt: "2026-05-01T12:30:00.000Z" })).toEqual({
      state: "bad",
      behindRun: 1,
      behindBuild: 28_501,
      text: "1188 days behind what the 15-day publication delay allows at build time",
    });
  });

  it("allows a day between daily runs, warns after that, and is red after three days", () => {
    const at = (builtAt: string) => freshness({ ...RUN, builtAt });
    expect(at("2023-01-31T00:00:00.000Z")).toMatchObject({ state: "ok", behindBuild: 25 });
    expect(at("2023-01-31T01:00:00.000Z")).toMatchObject({
      state: "warn",
      behindBuild: 26,
      text: "26 h behind what the 15-day publication delay allows at build time",
    });
    expect(at("2023-02-01T23:00:00.000Z")).toMatchObject({ state: "warn", behindBuild: 72 });
    expect(at("2023-02-02T00:00:00.000Z")).toMatchObject({
      state: "bad",
      behindBuild: 73,
      text: "3 days behind what the 15-day publication delay allows at build time",
    });
  });

  it("still says when the run itself saw less than it could, and judges data without a run by the build time alone", () => {
    expect(freshness({ ...RUN, visibleUntil: "2023-01-15T05:00:00.000Z", builtAt: "2023-01-30T07:00:00.000Z" })).toMatchObject({
      state: "warn",
      behindRun: 6,
      text: "6 h behind what the 15-day publication delay allows",
    });
    expect(freshness({ ...RUN, visibleUntil: null, builtAt: "2023-01-30T07:00:00.000Z" })).toMatchObject({ state: "ok", behindRun: null });
    expect(freshness({ ...RUN, last: null, visibleUntil: null, builtAt: "2023-01-30T07:00:00.000Z" })).toEqual({
      state: "none",
      behindRun: null,
      behindBuild: null,
      text: "44,308 rows in the feature store",
    });
  });

  it("takes the build time from REPORT_BUILD_TIME when set, with its zone, else now", () => {
    const now = new Date("2024-03-01T10:00:00Z");
    expect(buildTime(undefined, now)).toBe("2024-03-01T10:00:00.000Z");
    expect(buildTime(" ", now)).toBe("2024-03-01T10:00:00.000Z");
    expect(buildTime("2023-01-30T07:00:00Z", now)).toBe("2023-01-30T07:00:00.000Z");
    expect(buildTime("2023-01-30T08:00+01:00", now)).toBe("2023-01-30T07:00:00.000Z");
    expect(() => buildTime("2023-01-30", now)).toThrow(
      'REPORT_BUILD_TIME "2023-01-30" is not an ISO time with a zone, such as 2023-01-30T07:00:00Z; unset it to use the current time',
    );
    expect(() => buildTime("yesterday", now)).toThrow("is not an ISO time with a zone");
  });
});

describe("the last run's card on the Overview", () => {
  const finished = "2023-01-30T06:10:00.000Z";
  it("is green up to a day and an hour after the run, amber up to three days, red beyond or after a failure", () => {
    expect(lastRunState(finished, "2023-01-30T07:00:00.000Z", false)).toBe("ok");
    expect(lastRunState(finished, "2023-01-31T07:10:00.000Z", false)).toBe("ok");
    expect(lastRunState(finished, "2023-01-31T07:11:00.000Z", false)).toBe("warn");
    expect(lastRunState(finished, "2023-02-02T06:10:00.000Z", false)).toBe("warn");
    expect(lastRunState(finished, "2023-02-02T06:11:00.000Z", false)).toBe("bad");
    // A 2023 run in a report built today.
    expect(lastRunState(finished, "2026-12-02T12:00:00.000Z", false)).toBe("bad");
    expect(lastRunState(finished, "2023-01-30T07:00:00.000Z", true)).toBe("bad");
  });
});
