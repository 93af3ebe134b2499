import { describe, expect, it } from "vitest";
import { coverage, ErrorAccumulator, mape, median, rmspe, seriesMapeStats } from "../../../src/pipeline/backtest/metrics.js";

describe("metrics", () => {
  it("MAPE and RMSPE on a hand-computed case, as fractions", () => {
    // Percentage errors: (100-90)/100 = 0.1, (200-250)/200 = -0.25, (50-50)/50 = 0.
    const y = [100, 200, 50];
    const yhat = [90, 250, 50];
    expect(mape(y, yhat)).toBeCloseTo(0.35 / 3, 12);
    expect(rmspe(y, yhat)).toBeCloseTo(Math.sqrt((0.01 + 0.0625) / 3), 12);
  });

  it("leaves out zero and missing actuals, and counts missing forecasts apart", () => {
    const acc = new ErrorAccumulator();
    acc.add(0, 5);
    acc.add(NaN, 5);
    acc.add(100, NaN);
    acc.add(100, 110);
    expect(acc.summary()).toMatchObject({ mape: 0.1, n: 1, missing: 1 });
  });

  it("coverage counts points inside the bounds, bounds included", () => {
    expect(coverage([1, 2, 3, 4], [1, 0, 3.5, NaN], [1, 1, 5, 9])).toBe(1 / 3);
    const acc = new ErrorAccumulator();
    acc.add(10, 10, 9, 11, 8, 12);
    acc.add(10, 10, 10.5, 11, 8, 12);
    acc.add(10, 10, 11, 12, 11, 13);
    acc.add(10, 10); // no interval: not in the coverages
    const s = acc.summary();
    expect(s.coverage80).toBeCloseTo(1 / 3, 12);
    expect(s.coverage95).toBeCloseTo(2 / 3, 12);
    expect(s.n).toBe(4);
  });

  it("summarises per-series MAPEs by mean and median, leaving out undefined ones", () => {
    expect(median([])).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // (0 + 0.1 + 1.0) / 3 and the middle value; the NaN series (no scorable point) is left out.
    const s = seriesMapeStats([0.1, NaN, 1.0, 0]);
    expect(s.mean).toBeCloseTo(1.1 / 3, 12);
    expect(s.median).toBe(0.1);
    expect(s.series).toBe(3);
    expect(seriesMapeStats([NaN])).toEqual({ mean: NaN, median: NaN, series: 0 });
  });
});
