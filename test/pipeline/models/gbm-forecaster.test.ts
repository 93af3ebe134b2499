import { describe, expect, it } from "vitest";
import { syntheticPanel } from "../../../src/pipeline/backtest/synthetic.js";
import { buildTrainingRows } from "../../../src/pipeline/features/matrix.js";
import { panelUntil, type Panel } from "../../../src/pipeline/features/panel.js";
import { DEFAULT_FEATURE_SPEC, type FeatureSpec } from "../../../src/pipeline/features/spec.js";
import { BlendForecaster } from "../../../src/pipeline/models/blend.js";
import { loadForecaster } from "../../../src/pipeline/models/catalog.js";
import { calibrate } from "../../../src/pipeline/models/conformal.js";
import { GbmForecaster } from "../../../src/pipeline/models/gbm-forecaster.js";
import { SeasonalNaive } from "../../../src/pipeline/models/seasonal-naive.js";

const H = 3_600_000;
const full = syntheticPanel({ series: 5, hours: 24 * 17, seed: 3, start: Date.UTC(2023, 0, 2) });
const panel = panelUntil(full, full.start + (24 * 16 - 1) * H, true);
const gbm = { nIterations: 30, learningRate: 0.2, maxLeaves: 8, minSamplesLeaf: 5 };

describe("GbmForecaster", () => {
  it.each<[string, Partial<FeatureSpec>]>([
    ["level target, rolling scale", { scaling: "rolling" }],
    ["seasonal-difference target", { scaling: "rolling", baseLag: 168 }],
  ])("forecasts step 1 with exactly the training row's features (%s)", (_, overrides) => {
    const spec = { ...DEFAULT_FEATURE_SPEC, ...overrides };
    const m = new GbmForecaster({ features: spec, gbm });
    m.fit(panel);
    const rows = buildTrainingRows(panel, spec);
    // The last training row of series 2 is at t = hours - 1; forecast it from the history before it.
    let r = rows.X.nRows - 1;
    while (rows.series[r] !== 2) r--;
    const t = rows.t[r];
    const history = panelUntil(panel, panel.start + (t - 1) * H);
    const f = m.forecast(1, history);
    const scaled = m.learner!.predict({ ...rows.X, nRows: 1, columns: rows.X.columns.map((c) => c.subarray(r, r + 1)) })[0];
    const base = spec.baseLag > 0 ? panel.values[2][t - spec.baseLag] : 0;
    expect(f.point[2]).toBeCloseTo(base + scaled * rows.scale[r], 9);
  });

  it("forecasts every series for the whole horizon, finite and non-negative", () => {
    const m = new GbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm });
    m.fit(panel);
    const f = m.forecast(24);
    expect(f.point).toHaveLength(5 * 24);
    expect(f.origin).toBe(panel.start + (panel.hours - 1) * H);
    for (const v of f.point) expect(v >= 0 && Number.isFinite(v)).toBe(true);
    // Recursion: close to the truth on smooth synthetic data (the seasonal naive's error is the bar).
    let err = 0;
    for (let s = 0; s < 5; s++) for (let h = 1; h <= 24; h++) err += Math.abs(f.point[s * 24 + h - 1] / full.values[s][panel.hours - 1 + h] - 1);
    expect(err / (5 * 24)).toBeLessThan(0.15);
  });

  it("saves and loads to the same forecasts, calibration included", () => {
    const m = new GbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm });
    m.fit(panel);
    m.calibration = calibrate({ step: Array(20).fill(1), rel: Array.from({ length: 20 }, (_, i) => i / 100 - 0.1) }, 24);
    const back = loadForecaster(JSON.parse(JSON.stringify(m.toJSON())));
    const a = m.forecast(24);
    const b = back.forecast(24, panel);
    expect(Array.from(b.point)).toEqual(Array.from(a.point));
    expect(Array.from(b.upper80)).toEqual(Array.from(a.upper80));
  });

  it("refuses to forecast unfitted or from an incompatible artifact", () => {
    expect(() => new GbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm }).forecast(24, panel)).toThrow(
      "model: gbm is not fitted; call fit() or load a fitted model",
    );
    const m = new GbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm });
    m.fit(panel);
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    json.featureNames = ["lag_1"];
    expect(() => loadForecaster(json)).toThrow("the saved feature list does not match what this code builds");
  });
});

describe("GbmForecaster keys", () => {
  const meters: Panel = { ...panel, keyColumns: [{ name: "meter_id", type: "utf8" }], keys: panel.keys.map((_, s) => [`meter-${s}`]) };

  it("stores the key columns it was fitted with, and names its identity features after them", () => {
    const m = new GbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm });
    m.fit(meters);
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    expect(json.keys).toEqual(["meter_id"]);
    expect(json.featureNames.slice(-1)).toEqual(["meter_id"]);
    const back = loadForecaster(json);
    expect(Array.from(back.forecast(3, meters).point)).toEqual(Array.from(m.forecast(3).point));
  });

  it("reads an artifact saved before keys were recorded as DE35's, and refuses another dataset's history", () => {
    const m = new GbmForecaster({ features: DEFAULT_FEATURE_SPEC, gbm });
    m.fit(panel);
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    expect(json.keys).toEqual(["area", "consumer_type"]);
    delete json.keys;
    const legacy = loadForecaster(json);
    expect(Array.from(legacy.forecast(2, panel).point)).toEqual(Array.from(m.forecast(2).point));
    expect(() => legacy.forecast(2, meters)).toThrow(
      "model: gbm was fitted on series keyed by area, consumer_type, the history is keyed by meter_id; retrain on this dataset",
    );
  });
});

describe("BlendForecaster", () => {
  it("averages its members with the given weights and round-trips", () => {
    const a = new SeasonalNaive(24);
    const b = new SeasonalNaive(168);
    const blend = new BlendForecaster("mix", [new SeasonalNaive(24), new SeasonalNaive(168)], [0.25, 0.75]);
    blend.fit(panel);
    a.fit(panel);
    b.fit(panel);
    const f = blend.forecast(3);
    const fa = a.forecast(3);
    const fb = b.forecast(3);
    for (let i = 0; i < f.point.length; i++) expect(f.point[i]).toBeCloseTo(0.25 * fa.point[i] + 0.75 * fb.point[i], 9);
    const back = loadForecaster(JSON.parse(JSON.stringify(blend.toJSON())));
    expect(Array.from(back.forecast(3, panel).point)).toEqual(Array.from(f.point));
    expect(() => new BlendForecaster("bad", [a], [0.5])).toThrow("model: bad: a blend needs one weight >= 0 per member, summing to 1");
  });

  it("leaves out a member without a forecast for a point", () => {
    const p = panelUntil(panel, panel.start + (panel.hours - 1) * H, true);
    p.values[0][p.hours - 24] = NaN; // the naive 24's source for series 0, step 1
    const blend = new BlendForecaster("mix", [new SeasonalNaive(24), new SeasonalNaive(168)], [0.5, 0.5]);
    blend.fit(p);
    const f = blend.forecast(1);
    expect(f.point[0]).toBe(p.values[0][p.hours - 168]);
    expect(f.point[1]).toBeCloseTo((p.values[1][p.hours - 24] + p.values[1][p.hours - 168]) / 2, 9);
  });

  it("drops a seasonal member for hours whose day a lag before was of another kind", () => {
    const blend = new BlendForecaster("mix", [new SeasonalNaive(24), new SeasonalNaive(168)], [0.5, 0.5], { seasonal: [{ member: 1, lag: 168 }] });
    // Origin 2023-01-07T22:00Z: step 1 is Jan 7 23:00Z = Sunday Jan 8 00:00 local (ordinary), a
    // week after New Year's Day (public): the naive 168 steps aside. Origin a week later: both count.
    expect(blend.stepWeights(Date.UTC(2023, 0, 7, 22), 2)).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(blend.stepWeights(Date.UTC(2023, 0, 14, 22), 1)).toEqual([[0.5, 0.5]]);
    // The last UTC hour of Jan 7 is already Jan 8 locally; one hour earlier is Jan 7 (a week after Dec 31, customary).
    expect(blend.stepWeights(Date.UTC(2023, 0, 7, 21), 1)).toEqual([[1, 0]]);
    expect(blend.stepWeights(Date.UTC(2023, 0, 9, 21), 1)).toEqual([[0.5, 0.5]]);
  });

  it("lets a lead member take the first steps, its share decaying to its own weight", () => {
    const three = [new SeasonalNaive(24), new SeasonalNaive(168), new SeasonalNaive(48)];
    const blend = new BlendForecaster("lead", three, [0.5, 0.25, 0.25], { lead: { member: 0, hours: 2 } });
    const w = blend.stepWeights(Date.UTC(2023, 2, 8, 6), 24);
    expect(w[0]).toEqual([1, 0, 0]);
    // Step 3: 0.5 + 0.5 e^-1 for the lead; the others keep their 1 : 1 proportion of the rest.
    const lead3 = 0.5 + 0.5 * Math.exp(-1);
    expect(w[2][0]).toBeCloseTo(lead3, 12);
    expect(w[2][1]).toBeCloseTo((1 - lead3) / 2, 12);
    expect(w[2][2]).toBeCloseTo((1 - lead3) / 2, 12);
    expect(w[23][0]).toBeCloseTo(0.5, 4);
    for (const step of w) expect(step.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // The option is saved with the blend.
    const back = loadForecaster(JSON.parse(JSON.stringify(blend.toJSON()))) as BlendForecaster;
    expect(back.stepWeights(Date.UTC(2023, 2, 8, 6), 24)).toEqual(w);
    // With the day-kind rule too: the seasonal member steps aside after the lead took its share.
    const both = new BlendForecaster("both", [new SeasonalNaive(24), new SeasonalNaive(168)], [0.5, 0.5], {
      lead: { member: 0, hours: 2 },
      seasonal: [{ member: 1, lag: 168 }],
    });
    expect(() => new BlendForecaster("bad", three, [0.5, 0.25, 0.25], { lead: { member: 3, hours: 2 } })).toThrow(
      'model: bad: a blend\'s lead needs a member index from 0 to 2 and hours > 0; got {"member":3,"hours":2}',
    );
    expect(() => new BlendForecaster("bad", three, [0.5, 0.25, 0.25], { lead: { member: 0, hours: 0 } })).toThrow("hours > 0");
    expect(both.stepWeights(Date.UTC(2023, 0, 7, 22), 3)).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
  });
});
