import { describe, expect, it } from "vitest";
import { runBacktest } from "../../../src/pipeline/backtest/engine.js";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { panelUntil, type Panel } from "../../../src/pipeline/features/panel.js";
import { AutoBlendForecaster, type AutoBlendOptions } from "../../../src/pipeline/models/auto-blend.js";
import { createForecaster, loadForecaster } from "../../../src/pipeline/models/catalog.js";
import type { Forecaster } from "../../../src/pipeline/models/forecaster.js";
import { GbmForecaster } from "../../../src/pipeline/models/gbm-forecaster.js";
import { ProfileNaive } from "../../../src/pipeline/models/profile-naive.js";
import { SeasonalNaive } from "../../../src/pipeline/models/seasonal-naive.js";

const H = 3_600_000;
const T0 = Date.UTC(2023, 0, 2);
const LEVELS = [10, 20, 30, 40, 50, 60, 70];
/** Pools every step's evidence (window 23) and keeps the grid's best as it is (shrink 0). */
const OPTS: AutoBlendOptions = { horizon: 24, folds: 1, every: 24, gridSteps: 10, window: 23, shrink: 0 };

/**
 * Two series over 12 days whose level depends on the weekday only (seasonal naive 168 h is exact,
 * 24 h is not); with `planted`, the last day repeats the day before it instead (24 h is exact).
 */
function panel(planted: boolean): Panel {
  const hours = 12 * 24;
  const series = (scale: number) =>
    Float64Array.from({ length: hours }, (_, i) => {
      const day = Math.floor(i / 24);
      const d = planted && day === 11 ? 10 : day;
      return scale * (LEVELS[d % 7] + (i % 24) / 10);
    });
  return { start: T0, hours, keyColumns: [{ name: "id", type: "int32" }], keys: [[1], [2]], values: [series(1), series(100)] };
}

const members = () => [new SeasonalNaive(24), new SeasonalNaive(168)];
const auto = (options = OPTS) => new AutoBlendForecaster("auto", members(), options, members);

describe("auto blend: weights per step from inner folds of its own history", () => {
  it("weights the member that was right on the last inner fold", () => {
    const normal = auto();
    normal.fit(panel(false));
    expect(normal.weights).toHaveLength(24);
    for (const w of normal.weights) expect(w).toEqual([0, 1]);
    expect(normal.info.folds).toEqual([new Date(T0 + (12 * 24 - 1 - 24) * H).toISOString()]);
    // The planted last day favours the daily naive, once it is in the history.
    const planted = auto();
    planted.fit(panel(true));
    for (const w of planted.weights) expect(w).toEqual([1, 0]);
  });

  it("never sees a change planted after the origin: the weights come from data before it", () => {
    const origin = T0 + (11 * 24 - 1) * H; // the last hour before the planted day
    const before = auto();
    before.fit(panelUntil(panel(true), origin));
    for (const w of before.weights) expect(w).toEqual([0, 1]);
    // Through the backtest engine: the same forecasts at that origin with or without the plant.
    const run = (p: Panel) =>
      runBacktest(p, [{ name: "auto", create: () => auto() }], { from: origin, to: origin, every: 24, horizon: 24, keepForecasts: true, calibrationWarmup: 0 })
        .models[0];
    const a = run(panel(false));
    const b = run(panel(true));
    expect(Array.from(b.forecasts![0].point)).toEqual(Array.from(a.forecasts![0].point));
    // ...and they are the weekly naive's (the weights chose it), which the planted day then misses.
    expect(a.mape).toBeLessThan(1e-12);
    expect(b.mape).toBeGreaterThan(0.1);
  });

  it("fits the inner members once, at the earliest inner origin, and forecasts every inner fold from it", () => {
    const fitted: number[] = [];
    const forecastFrom: number[] = [];
    const counting = (): Forecaster => {
      const inner = new SeasonalNaive(168);
      return {
        name: "counting",
        calibration: undefined,
        fit(h: Panel) {
          fitted.push(h.hours);
          inner.fit(h);
        },
        forecast(horizon: number, h?: Panel) {
          if (h) forecastFrom.push(h.hours);
          return inner.forecast(horizon, h);
        },
        toJSON: () => inner.toJSON(),
      };
    };
    const p = panel(false);
    const m = new AutoBlendForecaster("auto", [counting()], { ...OPTS, folds: 3 }, () => [counting()]);
    m.fit(p);
    // One inner fit on the history up to 72 h before the end, then the final fit on all of it.
    expect(fitted).toEqual([p.hours - 72, p.hours]);
    expect(forecastFrom).toEqual([p.hours - 72, p.hours - 48, p.hours - 24]);
    expect(m.info.folds).toHaveLength(3);
  });

  it("shrinks toward equal weights, and uses the last learned step's weights beyond its horizon", () => {
    const m = auto({ ...OPTS, shrink: 0.4 });
    m.fit(panel(false));
    expect(m.weights[0][0]).toBeCloseTo(0.2, 12);
    expect(m.weights[0][1]).toBeCloseTo(0.8, 12);
    const f = m.forecast(30);
    const p = panel(false);
    // Step 30 of series 1 (index 29): 0.2 * (24 h naive) + 0.8 * (168 h naive).
    const last = p.hours - 1;
    const naive = (period: number, step: number) => p.values[0][last + step - period * Math.ceil(step / period)];
    expect(f.point[29]).toBeCloseTo(0.2 * naive(24, 30) + 0.8 * naive(168, 30), 9);
  });

  it("skips inner folds a member cannot fit, and falls back to equal weights without any", () => {
    /** The 24 h naive, refusing histories shorter than `need` hours as a learner without rows does. */
    const needs = (need: number): Forecaster => {
      const inner = new SeasonalNaive(24);
      return {
        name: "needs",
        calibration: undefined,
        fit(h: Panel) {
          if (h.hours < need) throw new PipelineError("model", "too little history");
          inner.fit(h);
        },
        forecast: (horizon: number, h?: Panel) => inner.forecast(horizon, h),
        toJSON: () => inner.toJSON(),
      };
    };
    const p = panel(false);
    const make = () => [needs(p.hours - 30), new SeasonalNaive(168)];
    const m = new AutoBlendForecaster("auto", make(), { ...OPTS, folds: 3 }, make);
    m.fit(p);
    expect(m.info.folds).toEqual([new Date(T0 + (p.hours - 1 - 24) * H).toISOString()]);
    const none = new AutoBlendForecaster("auto", make(), { ...OPTS, folds: 3 }, () => [needs(p.hours + 1), new SeasonalNaive(168)]);
    expect(() => none.fit(p)).toThrow("too little history"); // the final fit itself still fails loudly
    const short = auto({ ...OPTS, folds: 2 });
    short.fit(panelUntil(p, T0 + 160 * H)); // inner origins too early for the 168 h naive: no usable point
    for (const w of short.weights) expect(w).toEqual([0.5, 0.5]);
  });

  it("round-trips through JSON: the loaded model forecasts the same, and refuses to refit", () => {
    const m = auto();
    m.fit(panel(false));
    const back = loadForecaster(JSON.parse(JSON.stringify(m.toJSON()))) as AutoBlendForecaster;
    expect(back).toBeInstanceOf(AutoBlendForecaster);
    expect(back.weights).toEqual(m.weights);
    expect(back.info.folds).toEqual(m.info.folds);
    expect(Array.from(back.forecast(24, panel(false)).point)).toEqual(Array.from(m.forecast(24).point));
    expect(() => back.fit(panel(false))).toThrow("cannot be refitted");
  });

  it("is in the catalog as gbm-auto, with the global model, the level-adjusted and the plain weekly naive", () => {
    const m = createForecaster("gbm-auto") as AutoBlendForecaster;
    expect(m).toBeInstanceOf(AutoBlendForecaster);
    expect(m.members.map((x) => x.name)).toEqual(["gbm-change-168", "level-naive-168", "seasonal-naive-168"]);
    expect(m.options).toMatchObject({ horizon: 24, folds: 4, every: 24 });
    // A new series joins it when it would join the global model (169 h), not later.
    expect(m.historyHours).toBe(createForecaster("gbm").historyHours);
  });

  it("is in the catalog as gbm-choice: one of four named candidates from the last week, on the dataset's calendar", () => {
    const calendar = { zone: "America/Chicago", holidays: "none" } as const;
    const m = createForecaster("gbm-choice", {}, calendar) as AutoBlendForecaster;
    expect(m.members.map((x) => x.name)).toEqual(["gbm", "profile-naive-3", "seasonal-naive-168"]);
    expect(m.options).toMatchObject({
      horizon: 24,
      folds: 7,
      every: 24,
      window: 23,
      shrink: 0,
      candidates: [
        [0.5, 0.5, 0],
        [1, 0, 0],
        [0, 0, 1],
        [0.5, 0, 0.5],
      ],
    });
    expect((m.members[0] as GbmForecaster).options.features.calendar).toEqual(calendar);
    expect((m.members[1] as ProfileNaive).calendar).toEqual(calendar);
  });

  it("chooses a whole model: on weekly data, the candidate of the weekly naive alone, for every step", () => {
    const members = () => [new SeasonalNaive(24), new SeasonalNaive(168), new SeasonalNaive(48)];
    const options = {
      ...OPTS,
      candidates: [
        [0.5, 0, 0.5],
        [1, 0, 0],
        [0, 1, 0],
      ],
    };
    const m = new AutoBlendForecaster("choice", members(), options, members);
    m.fit(panel(false));
    for (const w of m.weights) expect(w).toEqual([0, 1, 0]);
    // The record of the choice: each candidate's MAPE on the inner fold, the weekly naive's 0, and it survives the JSON.
    const [blend, daily, weekly] = m.info.scores as number[];
    expect(weekly).toBe(0);
    expect(Math.min(blend, daily)).toBeGreaterThan(0.1);
    expect((loadForecaster(JSON.parse(JSON.stringify(m.toJSON()))) as AutoBlendForecaster).info.scores).toEqual(m.info.scores);
    m.fit(panel(true));
    for (const w of m.weights) expect(w).toEqual([1, 0, 0]);
    expect(m.info.scores?.[1]).toBe(0);
    // Without inner folds: the first candidate, and no scores to show.
    const short = new AutoBlendForecaster("choice", members(), { ...options, folds: 0 }, members);
    short.fit(panel(false));
    expect(short.weights[0]).toEqual([0.5, 0, 0.5]);
    expect(short.info.scores).toEqual([null, null, null]);
  });
});
