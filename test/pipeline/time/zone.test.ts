import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/pipeline/core/errors.js";
import { checkZone, offsetAt, parseWallTime, wallTimesToUtc, wallToUtcCandidates, type DstCounts } from "../../../src/pipeline/time/index.js";

const CPH = "Europe/Copenhagen";
const H = 3_600_000;
const utc = (iso: string) => Date.parse(`${iso}:00Z`);
const wall = (text: string) => parseWallTime(text);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** Converts wall times of (series, time) rows in file order; returns the UTC hours and the counts. */
function convert(zone: string, rows: Array<[string, string]>): { hours: string[]; counts: DstCounts } {
  const counts: DstCounts = { nonexistent: 0, repeated: 0 };
  const out = wallTimesToUtc(
    zone,
    rows.map(([, t]) => wall(t)),
    rows.map(([s]) => s),
    counts,
  );
  return { hours: Array.from(out, iso), counts };
}

describe("checkZone", () => {
  it("accepts UTC and IANA zones", () => {
    expect(checkZone("UTC", "TIME_ZONE")).toBe("UTC");
    expect(checkZone(CPH, "TIME_ZONE")).toBe(CPH);
    expect(checkZone("America/New_York", "--time-zone")).toBe("America/New_York");
  });

  it("names the setting, the zone and the accepted form for an unknown zone", () => {
    let err: unknown;
    try {
      checkZone("Europe/Atlantis", "--time-zone");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('config: --time-zone "Europe/Atlantis" is not a known IANA time zone; use UTC or a name like Europe/Copenhagen');
    expect(() => checkZone("CET+1", "TIME_ZONE")).toThrow('config: TIME_ZONE "CET+1" is not a known IANA time zone; use UTC or a name like Europe/Copenhagen');
  });
});

describe("offsets and candidates", () => {
  it("knows the zone's offset at an instant", () => {
    expect(offsetAt("UTC", utc("2023-07-01T00:00"))).toBe(0);
    expect(offsetAt(CPH, utc("2023-01-15T12:00"))).toBe(H);
    expect(offsetAt(CPH, utc("2023-07-01T12:00"))).toBe(2 * H);
    // The change happens at 01:00Z on 2023-03-26 and 2023-10-29.
    expect(offsetAt(CPH, utc("2023-03-26T00:59"))).toBe(H);
    expect(offsetAt(CPH, utc("2023-03-26T01:00"))).toBe(2 * H);
    expect(offsetAt(CPH, utc("2023-10-29T00:59"))).toBe(2 * H);
    expect(offsetAt(CPH, utc("2023-10-29T01:00"))).toBe(H);
  });

  it("maps a wall time to none, one or two instants, earlier first", () => {
    expect(wallToUtcCandidates(CPH, wall("2023-01-15T12:00"))).toEqual([utc("2023-01-15T11:00")]);
    expect(wallToUtcCandidates(CPH, wall("2023-03-26T02:00"))).toEqual([]);
    expect(wallToUtcCandidates(CPH, wall("2023-03-26T02:30"))).toEqual([]);
    expect(wallToUtcCandidates(CPH, wall("2023-10-29T02:00"))).toEqual([utc("2023-10-29T00:00"), utc("2023-10-29T01:00")]);
    expect(wallToUtcCandidates("UTC", wall("2023-10-29T02:00"))).toEqual([utc("2023-10-29T02:00")]);
  });
});

describe("wallTimesToUtc", () => {
  it("reads the spring-forward hour that does not exist (02:00 local) as 03:00 local, 01:00Z, and counts it", () => {
    const r = convert(CPH, [
      ["a", "2023-03-26T01:00"],
      ["a", "2023-03-26T02:00"],
      ["a", "2023-03-26T04:00"],
      ["b", "2023-03-26T02:00"],
    ]);
    expect(r.hours).toEqual(["2023-03-26T00:00", "2023-03-26T01:00", "2023-03-26T02:00", "2023-03-26T01:00"]);
    expect(r.counts).toEqual({ nonexistent: 2, repeated: 0 });
  });

  it("keeps both readings of the fall-back hour (02:00 local twice) as 00:00Z then 01:00Z, in file order, per series", () => {
    const r = convert(CPH, [
      ["a", "2023-10-29T01:00"],
      ["b", "2023-10-29T01:00"],
      ["a", "2023-10-29T02:00"],
      ["b", "2023-10-29T02:00"],
      ["a", "2023-10-29T02:00"],
      ["c", "2023-10-29T02:00"],
      ["b", "2023-10-29T02:00"],
      ["a", "2023-10-29T03:00"],
    ]);
    expect(r.hours).toEqual([
      "2023-10-28T23:00",
      "2023-10-28T23:00",
      "2023-10-29T00:00", // a, first reading
      "2023-10-29T00:00", // b, first reading
      "2023-10-29T01:00", // a, second reading
      "2023-10-29T00:00", // c has one reading only: the earlier instant, not counted
      "2023-10-29T01:00", // b, second reading
      "2023-10-29T02:00",
    ]);
    expect(r.counts).toEqual({ nonexistent: 0, repeated: 2 });
  });

  it("applies the same rules in other zones (New York: 02:00 skipped on 12 March, 01:00 twice on 5 November)", () => {
    const r = convert("America/New_York", [
      ["m", "2023-03-12T02:00"],
      ["m", "2023-11-05T01:00"],
      ["m", "2023-11-05T01:00"],
    ]);
    expect(r.hours).toEqual(["2023-03-12T07:00", "2023-11-05T05:00", "2023-11-05T06:00"]);
    expect(r.counts).toEqual({ nonexistent: 1, repeated: 1 });
  });

  it("is the identity in UTC, counting nothing", () => {
    const walls = [wall("2023-03-26T02:00"), wall("2023-10-29T02:00"), wall("2023-10-29T02:00")];
    const counts: DstCounts = { nonexistent: 0, repeated: 0 };
    expect(Array.from(wallTimesToUtc("UTC", walls, ["a", "a", "a"], counts))).toEqual(walls);
    expect(counts).toEqual({ nonexistent: 0, repeated: 0 });
  });

  it("adds to the counts it is given and passes NaN through", () => {
    const counts: DstCounts = { nonexistent: 3, repeated: 4 };
    const out = wallTimesToUtc(CPH, [NaN, wall("2023-03-26T02:00")], ["a", "a"], counts);
    expect(out[0]).toBeNaN();
    expect(counts).toEqual({ nonexistent: 4, repeated: 4 });
  });
});
