import { describe, expect, it } from "vitest";
import { syntheticPanel } from "../../../src/pipeline/backtest/synthetic.js";
import { buildTrainingRows } from "../../../src/pipeline/features/matrix.js";
import { panelUntil } from "../../../src/pipeline/features/panel.js";
import { DEFAULT_FEATURE_SPEC } from "../../../src/pipeline/features/spec.js";
import { DANISH_CALENDAR } from "../../../src/pipeline/features/calendar.js";
import type { BlendForecaster } from "../../../src/pipeline/models/blend.js";
import { createForecaster, loadForecaster } from "../../../src/pipeline/models/catalog.js";
import { calibrate } from "../../../src/pipeline/models/conformal.js";
import { DirectGbmForecaster, stepBlocks } from "../../../src/pipeline/models/direct-gbm.js";

const H = 3_600_000;
const full = syntheticPanel({ series: 5, hours: 24 * 17, seed: 3, start: Date.UTC(2023, 0, 2) });
const panel = panelUntil(full, full.start + (24 * 16 - 1) * H, true);
const gbm = { nIterations: 30, learningRate: 0.2, maxLeaves: 8, minSamplesLeaf: 5 };
const rolling = { ...DEFAULT_FEATURE_SPEC, scaling: "rolling" as const };

describe("DirectGbmForecaster", () => {
  it("cuts the horizon into blocks of steps, the last one shorter", () => {
    expect(stepBlocks({ blockSteps: 10, horizon: 24, rows: "one" }).map((b) => [b.from, b.to])).toEqual([
      [1, 10],
      [11, 20],
      [21, 24],
    ]);
  });

  it("forecasts step 3 from the origin with exactly the features of that step's training row", () => {
    const m = new DirectGbmForecaster({ features: rolling, gbm }, { blockSteps: 3, horizon: 6, rows: "every" });
    m.fit(panel);
    // Block 1 (steps 1..3) writes three rows per target, steps in order: the last row of series 2 is step 3 of its last target.
    const rows = buildTrainingRows(panel, rolling, { steps: { from: 1, to: 3, rows: "every" } });
    let r = rows.X.nRows - 1;
    while (rows.series[r] !== 2) r--;
    const t = rows.t[r];
    // Its origin is 3 hours before the target: the history ends at t - 3.
    const history = panelUntil(panel, panel.start + (t - 3) * H);
    const f = m.forecast(3, history);
    const scaled = m.learners![0].predict({ ...rows.X, nRows: 1, columns: rows.X.columns.map((c) => c.subarray(r, r + 1)) })[0];
    expect(f.point[2 * 3 + 2]).toBeCloseTo(scaled * rows.scale[r], 9);
  });

  it("forecasts every series for the whole horizon, finite, non-negative and close to the truth", () => {
    const m = new DirectGbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm }, { blockSteps: 6, horizon: 24, rows: "one" });
    m.fit(panel);
    expect(m.learners).toHaveLength(4);
    const f = m.forecast(24);
    expect(f.point).toHaveLength(5 * 24);
    let err = 0;
    for (let s = 0; s < 5; s++) {
      for (let h = 1; h <= 24; h++) {
        const v = f.point[s * 24 + h - 1];
        expect(v >= 0 && Number.isFinite(v)).toBe(true);
        err += Math.abs(v / full.values[s][panel.hours - 1 + h] - 1);
      }
    }
    expect(err / (5 * 24)).toBeLessThan(0.15);
  });

  it("saves and loads to the same forecasts, calibration included", () => {
    const m = new DirectGbmForecaster({ name: "gbm-direct", features: DEFAULT_FEATURE_SPEC, gbm }, { blockSteps: 12, horizon: 24, rows: "one" });
    m.fit(panel);
    m.calibration = calibrate({ step: Array(20).fill(1), rel: Array.from({ length: 20 }, (_, i) => i / 100 - 0.1) }, 24);
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    expect(json).toMatchObject({ kind: "gbm-direct", name: "gbm-direct", direct: { blockSteps: 12, horizon: 24, rows: "one" } });
    const back = loadForecaster(json);
    const a = m.forecast(24);
    const b = back.forecast(24, panel);
    expect(Array.from(b.point)).toEqual(Array.from(a.point));
    expect(Array.from(b.upper80)).toEqual(Array.from(a.upper80));
    expect(() => loadForecaster({ ...json, learners: json.learners.slice(1) })).toThrow(
      "model: gbm-direct: 1 saved learners for 2 blocks of steps; the artifact is damaged, retrain it",
    );
  });

  it("refuses a horizon beyond its models and settings it cannot use, saying what it got", () => {
    const m = new DirectGbmForecaster({ name: "gbm-direct", features: DEFAULT_FEATURE_SPEC, gbm }, { blockSteps: 6, horizon: 12, rows: "one" });
    m.fit(panel);
    expect(() => m.forecast(24)).toThrow("model: gbm-direct has models for 12 steps, not 24; forecast at most 12 hours, or retrain it with a longer horizon");
    expect(() => new DirectGbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm }, { blockSteps: 0, horizon: 24, rows: "one" })).toThrow(
      'model: gbm-direct: blockSteps and horizon must be integers >= 1; got {"blockSteps":0,"horizon":24,"rows":"one"}',
    );
    expect(() => new DirectGbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm }, { blockSteps: 6, horizon: 24, rows: "all" as "one" })).toThrow(
      'model: gbm-direct: rows must be "every" or "one"; got "all"',
    );
  });
});

describe("gbm-blend-direct", () => {
  it("is built for the deployment's horizon: its direct models cover every step of it, blocks of 6", () => {
    const blend = createForecaster("gbm-blend-direct", {}, DANISH_CALENDAR, 48) as BlendForecaster;
    const direct = blend.members[0] as DirectGbmForecaster;
    expect(direct.direct).toEqual({ blockSteps: 6, rows: "one", horizon: 48 });
    expect(stepBlocks(direct.direct)).toHaveLength(8);
    expect((createForecaster("gbm-blend-direct") as BlendForecaster).members[0]).toMatchObject({ direct: { horizon: 24 } });
  });
});
