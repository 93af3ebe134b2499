import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/pipeline/core/errors.js";
import {
  DAY_MS,
  describeRange,
  floorHour,
  formatApiTime,
  formatInstant,
  formatSecond,
  formatWallTime,
  HOUR_MS,
  hoursIn,
  parseInstant,
  parseWallTime,
  visibleUntil,
} from "../../../src/pipeline/time/index.js";

const t = (iso: string) => Date.parse(iso);

describe("hours", () => {
  it("floors to the UTC hour", () => {
    expect(HOUR_MS).toBe(3_600_000);
    expect(DAY_MS).toBe(24 * HOUR_MS);
    expect(floorHour(t("2023-01-01T05:59:59.999Z"))).toBe(t("2023-01-01T05:00:00Z"));
    expect(floorHour(t("2023-01-01T05:00:00Z"))).toBe(t("2023-01-01T05:00:00Z"));
  });

  it("visibleUntil: the exclusive end of what is published at as-of, floor(asOf - delay) to the hour", () => {
    expect(visibleUntil(t("2023-02-15T10:37:00Z"), 15)).toBe(t("2023-01-31T10:00:00Z"));
    expect(visibleUntil(t("2023-02-15T10:00:00Z"), 0)).toBe(t("2023-02-15T10:00:00Z"));
    expect(visibleUntil(t("2023-02-15T10:00:00Z"), 0.5)).toBe(t("2023-02-14T22:00:00Z"));
    // Delays are days of 24 h: a daylight-saving change on the way does not shift the hour.
    expect(visibleUntil(t("2023-04-05T12:30:00Z"), 15)).toBe(t("2023-03-21T12:00:00Z"));
  });

  it("formats instants for messages, the API and source files", () => {
    const ms = t("2023-01-14T22:05:07.250Z");
    expect(formatInstant(ms)).toBe("2023-01-14T22:05Z");
    expect(formatSecond(ms)).toBe("2023-01-14T22:05:07Z");
    expect(formatSecond("2023-01-14T22:05:07.250Z")).toBe("2023-01-14T22:05:07Z");
    expect(formatSecond(t("2023-01-14T22:00:00Z"))).toBe("2023-01-14T22:00:00Z");
    expect(formatWallTime(ms)).toBe("2023-01-14T22:05:07");
    expect(formatApiTime(ms)).toBe("2023-01-14T22:05");
    const range = { start: t("2023-01-01T00:00:00Z"), end: t("2023-01-02T00:00:00Z") };
    expect(describeRange(range)).toBe("2023-01-01T00:00..2023-01-02T00:00");
    expect(hoursIn(range)).toBe(24);
  });
});

describe("parseWallTime", () => {
  it("reads yyyy-MM-ddTHH:mm[:ss] (or with a space) as if it were UTC", () => {
    expect(parseWallTime("2023-01-01T05:00:00")).toBe(t("2023-01-01T05:00:00Z"));
    expect(parseWallTime("2023-01-01T05:00")).toBe(t("2023-01-01T05:00:00Z"));
    expect(parseWallTime("2023-01-01 05:00")).toBe(t("2023-01-01T05:00:00Z"));
    expect(parseWallTime("2024-02-29T00:00")).toBe(t("2024-02-29T00:00:00Z"));
  });

  it("gives NaN for impossible dates and times, offsets and other forms", () => {
    for (const text of [
      "2023-02-29T00:00",
      "2023-02-30T00:00",
      "2023-04-31T00:00",
      "2023-13-01T00:00",
      "2023-01-01T24:00",
      "2023-01-01T05:60",
      "2023-01-01T05:00Z",
      "2023-01-01",
      "01/01/2023 05:00",
      "",
    ]) {
      expect(parseWallTime(text), text).toBeNaN();
    }
  });
});

describe("parseInstant", () => {
  it("reads a time without an offset as UTC, never the machine's zone", () => {
    expect(parseInstant("2023-01-14T22:00", "--as-of")).toBe(t("2023-01-14T22:00:00Z"));
    expect(parseInstant(" 2023-01-14 22:00:30 ", "--as-of")).toBe(t("2023-01-14T22:00:30Z"));
    expect(parseInstant("2023-01-14", "--as-of")).toBe(t("2023-01-14T00:00:00Z"));
  });

  it("applies Z and offsets with or without a colon", () => {
    expect(parseInstant("2023-01-14T22:00:00Z", "--as-of")).toBe(t("2023-01-14T22:00:00Z"));
    expect(parseInstant("2023-01-14T23:00+01:00", "--as-of")).toBe(t("2023-01-14T22:00:00Z"));
    expect(parseInstant("2023-01-15T00:00+0200", "--as-of")).toBe(t("2023-01-14T22:00:00Z"));
    expect(parseInstant("2023-01-14T17:00-05:00", "--as-of")).toBe(t("2023-01-14T22:00:00Z"));
  });

  it("refuses impossible dates with the exact message", () => {
    const err = (() => {
      try {
        parseInstant("2023-02-30", "--from");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('config: --from must be an existing ISO date or time in UTC like 2023-01-14T22:00, got "2023-02-30"');
    expect(() => parseInstant("2023-01-14T24:00", "--to")).toThrow(
      'config: --to must be an existing ISO date or time in UTC like 2023-01-14T22:00, got "2023-01-14T24:00"',
    );
    expect(() => parseInstant("2023-01-14T22:00+1", "AS_OF")).toThrow(
      'config: AS_OF must be an existing ISO date or time in UTC like 2023-01-14T22:00, got "2023-01-14T22:00+1"',
    );
  });
});
