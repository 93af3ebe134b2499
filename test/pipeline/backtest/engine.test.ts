import { describe, expect, it } from "vitest";
import { actualsAfter, runBacktest, type ModelEntry } from "../../../src/pipeline/backtest/engine.js";
import { syntheticPanel, SYNTHETIC_KEYS } from "../../../src/pipeline/backtest/synthetic.js";
import type { Panel } from "../../../src/pipeline/features/panel.js";
import { DEFAULT_FEATURE_SPEC } from "../../../src/pipeline/features/spec.js";
import type { Calibration } from "../../../src/pipeline/models/conformal.js";
import type { Forecast } from "../../../src/pipeline/models/forecast.js";
import type { Forecaster } from "../../../src/pipeline/models/forecaster.js";
import { GbmForecaster } from "../../../src/pipeline/models/gbm-forecaster.js";
import { SeasonalNaive } from "../../../src/pipeline/models/seasonal-naive.js";

const H = 3_600_000;
const base = syntheticPanel({ series: 6, hours: 24 * 21, seed: 7, start: Date.UTC(2023, 0, 9) });
const origin = (day: number) => base.start + (day * 24 - 1) * H; // last hour of day `day` (1-based)

function withSpike(p: Panel, at: number): Panel {
  const values = p.values.map((v) => v.slice());
  const i = (at - p.start) / H;
  for (const v of values) v.fill(1e12, i, i + 6);
  return { ...p, values };
}

const smallGbm = (): Forecaster =>
  new GbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm: { nIterations: 20, learningRate: 0.3, maxLeaves: 8, minSamplesLeaf: 5 } });
const models: ModelEntry[] = [
  { name: "naive", create: () => new SeasonalNaive(24) },
  { name: "gbm", create: smallGbm },
];

describe("runBacktest", () => {
  it("never looks past its origin: a huge spike planted after it leaves that forecast unchanged", () => {
    const from = origin(14);
    const plan = { from, to: from + 24 * H, every: 24, horizon: 24, keepForecasts: true, calibrationWarmup: 0 };
    const clean = runBacktest(base, models, plan);
    const spiked = runBacktest(withSpike(base, from + H), models, plan);
    for (let m = 0; m < models.length; m++) {
      const [c0, c1] = clean.models[m].forecasts as Forecast[];
      const [s0, s1] = spiked.models[m].forecasts as Forecast[];
      expect(Array.from(s0.point)).toEqual(Array.from(c0.point));
      // The next origin has seen the spike, so the test can tell a leak from none.
      expect(Array.from(s1.point)).not.toEqual(Array.from(c1.point));
    }
    // The spike is in the actuals of the first origin: its score changes, its forecast does not.
    expect(spiked.models[0].byOrigin[0].mape).not.toBe(clean.models[0].byOrigin[0].mape);
  });

  it("scores each origin against the hours after it", () => {
    const from = origin(10);
    const r = runBacktest(base, [{ name: "naive", create: () => new SeasonalNaive(24) }], { from, to: from, every: 24, horizon: 24, keepForecasts: true });
    const f = (r.models[0].forecasts as Forecast[])[0];
    const y = actualsAfter(base, from, 24);
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += Math.abs(y[i] - f.point[i]) / y[i];
    expect(r.models[0].mape).toBeCloseTo(sum / y.length, 12);
    expect(r.models[0].n).toBe(6 * 24);
    expect(r.models[0].byStep).toHaveLength(24);
    expect(r.models[0].bySeries).toHaveLength(6);
  });

  it("calibrates each origin only with residuals whose target hour is known by then", () => {
    const seen: Array<number[] | undefined> = [];
    class Recording extends SeasonalNaive {
      override forecast(horizon: number, history?: Panel): Forecast {
        seen.push((this.calibration as Calibration | undefined)?.counts.slice());
        return super.forecast(horizon, history);
      }
    }
    const from = origin(10);
    runBacktest(base, [{ name: "rec", create: () => new Recording(168) }], { from, to: from + 12 * H, every: 12, horizon: 24, calibrationWarmup: 1 });
    const n = 6;
    expect(seen[0]).toBeUndefined(); // the warm-up origin has nothing before it
    expect(seen[1]).toEqual(Array(24).fill(n)); // first origin: the warm-up's 24 steps
    // 12 h later the first origin's steps 1..12 have happened, its steps 13..24 not yet.
    expect(seen[2]).toEqual([...Array(12).fill(2 * n), ...Array(12).fill(n)]);
  });

  it("reports interval coverage of the honest intervals", () => {
    const from = origin(15);
    const r = runBacktest(base, [{ name: "naive", create: () => new SeasonalNaive(168) }], {
      from,
      to: from + 4 * 24 * H,
      every: 24,
      horizon: 24,
      calibrationWarmup: 2,
      keepForecasts: true,
    });
    const m = r.models[0];
    let inside = 0;
    let total = 0;
    m.forecasts!.forEach((f) => {
      const y = actualsAfter(base, f.origin, 24);
      for (let i = 0; i < y.length; i++) {
        total++;
        if (y[i] >= f.lower80[i] && y[i] <= f.upper80[i]) inside++;
      }
    });
    expect(m.coverage80).toBeCloseTo(inside / total, 12);
    expect(m.coverage80).toBeGreaterThan(0.5);
    expect(r.warmupOrigins).toEqual([from - 48 * H, from - 24 * H]);
  });

  it("reports pooled, per-series (mean, median) and per-origin MAPE that a hand computation gives", () => {
    // Three series over three days, constant within a day (day values below); the 24 h seasonal
    // naive forecasts day d + 1 with day d. Origins: the last hour of day 1 and of day 2.
    const day = (a: number, b: number, c: number | ((h: number) => number)) =>
      Float64Array.from({ length: 72 }, (_, i) => (i < 24 ? a : i < 48 ? b : typeof c === "number" ? c : c(i - 48)));
    const panel: Panel = {
      start: Date.UTC(2023, 0, 2),
      hours: 72,
      keyColumns: SYNTHETIC_KEYS,
      keys: [
        [1, 1],
        [1, 2],
        [1, 3],
      ],
      values: [
        day(100, 100, 100), // A: exact both days -> series MAPE 0 (48 points)
        day(120, 100, 100), // B: |100-120|/100 = 0.2 on day 2, 0 on day 3 -> 0.1 (48 points)
        day(200, 100, (h) => (h < 12 ? 0 : 50)), // C: 1.0 on day 2; day 3 scores only its 12 non-zero hours, |50-100|/50 = 1.0 -> 1.0 (36 points)
      ],
    };
    const from = panel.start + 23 * H;
    const r = runBacktest(panel, [{ name: "naive", create: () => new SeasonalNaive(24) }], {
      from,
      to: from + 24 * H,
      every: 24,
      horizon: 24,
      calibrationWarmup: 0,
    });
    const m = r.models[0];
    expect(m.n).toBe(48 + 48 + 36);
    // Pooled: (24 * 0.2 + 36 * 1.0) / 132 = 40.8 / 132; the series C, with fewer points, weighs less.
    expect(m.mape).toBeCloseTo(40.8 / 132, 12);
    expect(m.seriesMape.mean).toBeCloseTo(1.1 / 3, 12);
    expect(m.seriesMape.median).toBeCloseTo(0.1, 12);
    expect(m.seriesMape.series).toBe(3);
    // Origin 1: (24 * 0.2 + 24 * 1.0) / 72 = 0.4; origin 2: (12 * 1.0) / 60 = 0.2.
    expect(m.byOrigin.map((o) => o.origin)).toEqual([from, from + 24 * H]);
    expect(m.byOrigin[0].mape).toBeCloseTo(0.4, 12);
    expect(m.byOrigin[1].mape).toBeCloseTo(0.2, 12);
    expect(m.byOrigin.map((o) => o.n)).toEqual([72, 60]);
  });
});
