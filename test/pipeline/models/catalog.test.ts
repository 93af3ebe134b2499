import { describe, expect, it } from "vitest";
import { syntheticPanel } from "../../../src/pipeline/backtest/synthetic.js";
import { DANISH_CALENDAR } from "../../../src/pipeline/features/calendar.js";
import { DEFAULT_FEATURE_SPEC } from "../../../src/pipeline/features/spec.js";
import type { BlendForecaster } from "../../../src/pipeline/models/blend.js";
import { createForecaster, defaultGbmOptions, loadForecaster } from "../../../src/pipeline/models/catalog.js";
import { GbmForecaster } from "../../../src/pipeline/models/gbm-forecaster.js";

const panel = syntheticPanel({ series: 4, hours: 24 * 35, seed: 5, start: Date.UTC(2023, 0, 2) });
const quick = { nIterations: 15, learningRate: 0.2, maxLeaves: 8, minSamplesLeaf: 5 };

describe("gbm-blend", () => {
  it("has as its global model the equal-weight mean of the default features scaled over 168 h and over 24 h", () => {
    const blend = createForecaster("gbm-blend", quick) as BlendForecaster;
    const mean = blend.members[0] as BlendForecaster;
    expect(mean.members.map((m) => [m.name, (m as GbmForecaster).options.features.scaleWindow])).toEqual([
      ["gbm", 168],
      ["gbm-scale-24", 24],
    ]);
    expect(mean.weights).toEqual([0.5, 0.5]);

    mean.fit(panel);
    const alone = [168, 24].map((scaleWindow) => {
      const options = defaultGbmOptions("gbm", quick, DANISH_CALENDAR);
      const m = new GbmForecaster({ ...options, features: { ...DEFAULT_FEATURE_SPEC, calendar: DANISH_CALENDAR, scaleWindow } });
      m.fit(panel);
      return m.forecast(24).point;
    });
    const point = mean.forecast(24).point;
    expect(point.length).toBe(4 * 24);
    for (let i = 0; i < point.length; i++) expect(point[i]).toBeCloseTo((alone[0][i] + alone[1][i]) / 2, 9);
    // The two differ, or the mean would prove nothing.
    expect(alone[0].some((v, i) => Math.abs(v - alone[1][i]) > 1e-6)).toBe(true);
  });

  it("is saved and loaded with both global models: the loaded blend forecasts the same", () => {
    const blend = createForecaster("gbm-blend", quick);
    blend.fit(panel);
    const loaded = loadForecaster(JSON.parse(JSON.stringify(blend.toJSON())));
    expect(Array.from(loaded.forecast(24, panel).point)).toEqual(Array.from(blend.forecast(24).point));
  });
});
