import { describe, expect, it } from "vitest";
import { meterFile } from "../../../src/pipeline/backtest/synthetic-file.js";

/** The value of `meter` at local wall time `wall` in a meter file's CSV. */
function valueAt(csv: string, wall: string, meter: string): number {
  const row = csv.split("\n").find((l) => l.startsWith(`${wall},north,${meter},`));
  if (!row) throw new Error(`no row ${wall} ${meter}`);
  return Number(row.split(",")[3]);
}

describe("meterFile: the synthetic second dataset", () => {
  const options = { series: [{ site: "north", meter: "m-01" }], from: "2023-05-10", to: "2023-05-20", seed: 3 };

  it("dips on the holidays of its holiday set, and on none without one", () => {
    const danish = meterFile({ ...options, zone: "America/New_York" }).csv;
    const plain = meterFile({ ...options, zone: "America/New_York", holidays: "none" }).csv;
    // Series 0 is an office. Ascension Day (Thursday May 18) is a Danish holiday: business hours dip.
    expect(valueAt(danish, "2023-05-18 10:00", "m-01")).toBeLessThan(0.7 * valueAt(plain, "2023-05-18 10:00", "m-01"));
    // Any other day is the same, draw for draw.
    expect(valueAt(danish, "2023-05-17 10:00", "m-01")).toBe(valueAt(plain, "2023-05-17 10:00", "m-01"));
    expect(valueAt(danish, "2023-05-19 10:00", "m-01")).toBe(valueAt(plain, "2023-05-19 10:00", "m-01"));
  });
});
