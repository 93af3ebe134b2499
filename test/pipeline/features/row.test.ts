import { describe, expect, it } from "vitest";
import { calendarFor, buildTrainingRows } from "../../../src/pipeline/features/matrix.js";
import { rowPlan, rowScale, scaleAt, seriesCodes, targetBase, writeFeatures } from "../../../src/pipeline/features/row.js";
import { checkFeatureSpec, DEFAULT_FEATURE_SPEC, featureNames, historyNeeded, type FeatureSpec } from "../../../src/pipeline/features/spec.js";
import type { Panel } from "../../../src/pipeline/features/panel.js";
import { keyFeature, type KeyColumn } from "../../../src/pipeline/series/key.js";

// Starts at 2022-12-24 00:00 Copenhagen time (Christmas Eve, a Saturday).
const START = Date.UTC(2022, 11, 23, 23);
/** DE35's key columns, as the de35 preset stores them. */
const DE35_KEYS: KeyColumn[] = [
  { name: "area", type: "int8" },
  { name: "consumer_type", type: "int32" },
];
const KEY_NAMES = ["area", "consumer_type"];

const tiny: FeatureSpec = {
  lags: [1, 2, 24],
  rollingMeans: [3],
  rollingStds: [3],
  scaleWindow: 4,
  scaling: "rolling",
  baseLag: 0,
  dayKindLags: [24],
  dayType: false,
  dayTypeLags: [],
  seriesCodes: true,
  logScale: false,
};

/** values[i] = 2 * (i + 1): 2, 4, 6, ... */
function ramp(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 2 * (i + 1));
}

function features(spec: FeatureSpec, values: Float64Array, t: number, scale: number): Record<string, number> {
  const plan = rowPlan(spec, KEY_NAMES.length);
  const columns = Array.from({ length: plan.nFeatures }, () => new Float64Array(1));
  const cal = calendarFor(START, spec, t, t + 1);
  writeFeatures(plan, cal, seriesCodes([[1, 111]])[0], values, t, scale, columns, 0);
  return Object.fromEntries(featureNames(spec, KEY_NAMES).map((name, f) => [name, columns[f][0]]));
}

describe("row features", () => {
  it("computes lags, rolling mean and sample std over hours before t, divided by the scale", () => {
    const v = ramp(30);
    // t = 5: the scale window is values[1..4] = 4, 6, 8, 10 -> 7.
    const scale = rowScale(tiny, v, 5, 30);
    expect(scale).toBe(7);
    const f = features(tiny, v, 5, scale);
    expect(f.lag_1).toBeCloseTo(10 / 7, 12);
    expect(f.lag_2).toBeCloseTo(8 / 7, 12);
    expect(f.lag_24).toBeNaN(); // before the start: missing
    expect(f.mean_3).toBeCloseTo(8 / 7, 12); // (6 + 8 + 10) / 3
    expect(f.std_3).toBeCloseTo(2 / 7, 12); // sample std of 6, 8, 10
    expect(f.area).toBe(1);
    expect(f.consumer_type).toBe(111);
  });

  it("gives local hour, weekday and day kinds of t and of t - 24", () => {
    const v = ramp(30);
    // t = 24: 2022-12-25 00:00 local, Sunday, Christmas Day; 24 h before: Christmas Eve.
    const f = features(tiny, v, 24, 1);
    expect([f.hour, f.weekday, f.day_kind, f.day_kind_lag_24]).toEqual([0, 6, 3, 2]);
    expect(f.lag_24).toBe(2);
    // t = 26: 02:00 local on Christmas Day.
    expect(features(tiny, v, 26, 1).hour).toBe(2);
  });

  it("gives the day type of t and of lagged hours: workday 0, Christmas week 1, Saturday-like 2, Sunday-like 3", () => {
    const spec = { ...tiny, dayType: true, dayTypeLags: [24, 72] };
    const v = ramp(200);
    // t = 24: Sunday Dec 25 (public); 24 h before: Saturday Dec 24 (customary); 72 h before: before the data (Dec 22, a Thursday).
    expect([24, 72].map((k) => features(spec, v, 24, 1)[`day_type_lag_${k}`])).toEqual([2, 0]);
    expect(features(spec, v, 24, 1).day_type).toBe(3);
    // t = 96: Tuesday Dec 28, Christmas week; t = 24 * 10: Tuesday Jan 3, an ordinary workday.
    expect(features(spec, v, 96, 1).day_type).toBe(1);
    expect(features(spec, v, 240, 1).day_type).toBe(0);
  });

  it("skips missing values in windows and never reads values at or after t", () => {
    const v = ramp(10);
    v[3] = NaN;
    const f = features(tiny, v, 5, scaleAt(v, 5, 4));
    expect(scaleAt(v, 5, 4)).toBeCloseTo((4 + 6 + 10) / 3, 12);
    expect(f.mean_3).toBeCloseTo((6 + 10) / 2 / ((4 + 6 + 10) / 3), 12);
    const poisoned = v.slice();
    poisoned.fill(1e12, 5);
    expect(features(tiny, poisoned, 5, scaleAt(poisoned, 5, 4))).toEqual(f);
  });

  it("origin scaling uses the last observed week for every row", () => {
    const v = ramp(8);
    const spec = { ...tiny, scaling: "origin" as const };
    // The last 4 observed hours: 10, 12, 14, 16.
    expect(rowScale(spec, v, 3, 8)).toBe(13);
    expect(rowScale(spec, v, 8, 8)).toBe(13);
    // Appended predictions (index >= observed) never enter the origin scale.
    const extended = new Float64Array(12);
    extended.set(v);
    extended.fill(1e9, 8);
    expect(rowScale(spec, extended, 11, 8)).toBe(13);
  });

  it("gives the base of a seasonal-difference target", () => {
    const v = ramp(30);
    expect(targetBase(tiny, v, 5)).toBe(0);
    expect(targetBase({ ...tiny, baseLag: 24 }, v, 25)).toBe(v[1]);
    expect(targetBase({ ...tiny, baseLag: 24 }, v, 5)).toBeNaN();
  });

  it("averages the same hour of the latest days of the target's day type, skipping other types and missing values", () => {
    const spec: FeatureSpec = { ...tiny, sameTypeMeans: [1, 2, 5] };
    // t = 2023-01-08 10:00 local, a Sunday (type 3). Earlier type-3 days at that hour: Sunday Jan 1
    // (t - 168), Boxing Day Dec 26 (t - 312), Christmas Day Dec 25 (t - 336); Christmas Eve (t - 360)
    // is a customary day off (type 2), and the working and Christmas-week days between do not count.
    const t = (Date.UTC(2023, 0, 8, 9) - START) / 3_600_000;
    const v = ramp(t + 1);
    const f = features(spec, v, t, 2);
    expect([f.same_type_mean_1, f.same_type_mean_2, f.same_type_mean_5]).toEqual([
      v[t - 168] / 2,
      (v[t - 168] + v[t - 312]) / 4,
      (v[t - 168] + v[t - 312] + v[t - 336]) / 6,
    ]);
    v[t - 168] = NaN;
    const g = features(spec, v, t, 1);
    expect([g.same_type_mean_1, g.same_type_mean_2, g.same_type_mean_5]).toEqual([v[t - 312], (v[t - 312] + v[t - 336]) / 2, (v[t - 312] + v[t - 336]) / 2]);
    // Only the hours before t are read.
    v.fill(NaN, t - 1);
    expect(features(spec, v, t, 1).same_type_mean_1).toBe(g.same_type_mean_1);
  });
});

describe("feature spec", () => {
  it("names the default features: lags 1..72 and 167..169, rolling windows, same-type means, calendar, codes", () => {
    const names = featureNames(DEFAULT_FEATURE_SPEC, KEY_NAMES);
    expect(names.slice(0, 2)).toEqual(["lag_1", "lag_2"]);
    expect(names).toContain("lag_72");
    expect(names).toContain("lag_168");
    expect(names.slice(75)).toEqual([
      "mean_24",
      "mean_48",
      "mean_72",
      "std_24",
      "std_48",
      "same_type_mean_1",
      "same_type_mean_3",
      "same_type_mean_5",
      "hour",
      "weekday",
      "day_kind",
      "day_type",
      "day_type_lag_24",
      "day_type_lag_168",
      "area",
      "consumer_type",
    ]);
    expect(rowPlan(DEFAULT_FEATURE_SPEC, 2).nFeatures).toBe(names.length);
    expect(historyNeeded(DEFAULT_FEATURE_SPEC)).toBe(169);
  });

  it("gives one identity feature per key column, named after it", () => {
    const three = ["MunicipalityNo", "HousingCategory", "HeatingCategory"];
    expect(featureNames(tiny, three).slice(-3)).toEqual(three);
    expect(rowPlan(tiny, 3).nFeatures).toBe(featureNames(tiny, three).length);
    expect(rowPlan(tiny, 1).nFeatures).toBe(featureNames(tiny, ["meter_id"]).length);
    expect(featureNames({ ...tiny, seriesCodes: false }, three)).not.toContain("MunicipalityNo");
    expect(rowPlan({ ...tiny, seriesCodes: false }, 3).nFeatures).toBe(featureNames(tiny, []).length);
  });

  it("rejects unusable windows", () => {
    expect(() => checkFeatureSpec({ ...tiny, rollingStds: [1] })).toThrow("config: feature spec: rolling std windows must be integers >= 2 (hours), got 1");
    expect(() => checkFeatureSpec({ ...tiny, lags: [0] })).toThrow("lags must be integers >= 1");
    expect(() => checkFeatureSpec({ ...tiny, sameTypeMeans: [3, 1] })).toThrow(
      "config: feature spec: same-type means must be increasing integers from 1 to 28 (days), got [3,1]",
    );
  });
});

describe("buildTrainingRows", () => {
  const panel: Panel = {
    start: START,
    hours: 8,
    keyColumns: DE35_KEYS,
    keys: [
      [1, 111],
      [2, 111],
    ],
    values: [ramp(8), Float64Array.from(ramp(8), (x) => 10 * x)],
  };
  panel.values[1][6] = NaN;
  const spec = { ...tiny, lags: [1, 2], dayKindLags: [] };

  it("emits time-major rows with the scaled target, skipping missing targets", () => {
    const rows = buildTrainingRows(panel, spec);
    // History needed: 4 h, so targets are t = 4..7 for both series, minus series 2 at t = 6.
    expect(Array.from(rows.t)).toEqual([4, 4, 5, 5, 6, 7, 7]);
    expect(Array.from(rows.series)).toEqual([0, 1, 0, 1, 0, 0, 1]);
    // Series 1 at t = 4: target 10, scale mean(2, 4, 6, 8) = 5.
    expect(rows.y[0]).toBe(2);
    expect(rows.scale[0]).toBe(5);
    // Series 2 is series 1 times 10: same scaled target and features.
    expect(rows.y[1]).toBe(2);
    expect(rows.X.columns[0][1]).toBe(rows.X.columns[0][0]);
    expect(rows.X.nRows).toBe(7);
    expect(rows.X.names).toEqual(featureNames(spec, KEY_NAMES));
  });

  it("inverts the scaling: target x scale (+ base) gives back the value, for both target kinds", () => {
    for (const extra of [{}, { baseLag: 2 }, { scaling: "origin" as const }]) {
      const sp = { ...spec, ...extra };
      const rows = buildTrainingRows(panel, sp);
      expect(rows.X.nRows).toBeGreaterThan(0);
      for (let r = 0; r < rows.X.nRows; r++) {
        const v = panel.values[rows.series[r]];
        const base = sp.baseLag ? v[rows.t[r] - sp.baseLag] : 0;
        expect(base + rows.y[r] * rows.scale[r]).toBeCloseTo(v[rows.t[r]], 9);
      }
    }
    // Origin scaling: one scale per series, the mean of its last 4 observed hours (10, 12, 14, 16).
    const origin = buildTrainingRows(panel, { ...spec, scaling: "origin" });
    expect(new Set(origin.scale.filter((_, r) => origin.series[r] === 0))).toEqual(new Set([13]));
  });

  it("builds the same features as the row function for every row", () => {
    const rows = buildTrainingRows(panel, spec);
    for (let r = 0; r < rows.X.nRows; r++) {
      const v = panel.values[rows.series[r]];
      const f = features(spec, v, rows.t[r], rowScale(spec, v, rows.t[r], panel.hours));
      const fromMatrix = Object.fromEntries(featureNames(spec, KEY_NAMES).map((n, k) => [n, rows.X.columns[k][r]]));
      expect({ ...fromMatrix, area: 0, consumer_type: 0 }).toEqual({ ...f, area: 0, consumer_type: 0 });
    }
  });

  it("writes each key's identity features: integers as they are, string keys through keyFeature", () => {
    const strings: Panel = { ...panel, keyColumns: [{ name: "meter_id", type: "utf8" }], keys: [["101"], ["north-7"]] };
    const rows = buildTrainingRows(strings, spec);
    const names = rows.X.names ?? [];
    const col = names.indexOf("meter_id");
    expect(col).toBe(names.length - 1);
    const expected = [101, keyFeature("north-7")];
    expect(Array.from(rows.X.columns[col])).toEqual(Array.from(rows.series, (s) => expected[s]));
    expect(seriesCodes(strings.keys).map((c) => Array.from(c))).toEqual([[101], [keyFeature("north-7")]]);
    const de35 = buildTrainingRows(panel, spec);
    const last = de35.X.nRows - 1;
    const at = (name: string) => de35.X.columns[(de35.X.names ?? []).indexOf(name)][last];
    expect([at("area"), at("consumer_type")]).toEqual([2, 111]);
  });

  it("accepts early rows with missing lags when minHistory is lower, and keeps only recent targets when asked", () => {
    expect(buildTrainingRows(panel, spec, { minHistory: 2 }).t[0]).toBe(2);
    expect(Array.from(buildTrainingRows(panel, spec, { recentHours: 2 }).t)).toEqual([6, 7, 7]);
  });

  it("direct rows of a step hide the hours between its origin and the target, as forecasting from the origin sees them", () => {
    const rows = buildTrainingRows(panel, spec, { steps: { from: 3, to: 3, rows: "one" } });
    // As many rows as the recursive model's, for the same targets.
    expect(Array.from(rows.t)).toEqual(Array.from(buildTrainingRows(panel, spec).t));
    for (let r = 0; r < rows.X.nRows; r++) {
      const t = rows.t[r];
      const v = panel.values[rows.series[r]];
      // At the origin t - 3 the hours t - 2 and t - 1 are the future: missing.
      const seen = Float64Array.from(v, (x, i) => (i > t - 3 && i < t ? NaN : x));
      const f = features(spec, seen, t, rowScale(spec, seen, t, panel.hours));
      const fromMatrix = Object.fromEntries(featureNames(spec, KEY_NAMES).map((n, k) => [n, rows.X.columns[k][r]]));
      expect({ ...fromMatrix, area: 0, consumer_type: 0 }).toEqual({ ...f, area: 0, consumer_type: 0 });
      expect(fromMatrix.lag_1).toBeNaN();
      expect(fromMatrix.lag_2).toBeNaN();
    }
    // The panel itself is left as it was.
    expect(Array.from(panel.values[0])).toEqual(Array.from(ramp(8)));
  });

  it("direct rows of a block: every step of it for each target, or one step cycling with the hour and the series", () => {
    const every = buildTrainingRows(panel, spec, { steps: { from: 1, to: 3, rows: "every" } });
    const recursive = buildTrainingRows(panel, spec);
    expect(every.X.nRows).toBe(3 * recursive.X.nRows);
    // Steps 1, 2, 3 of the first target (series 0, t = 4): lag 1 known, then missing; lag 2 known until step 3.
    const lag = (rows: typeof every, name: string, r: number) => rows.X.columns[(rows.X.names ?? []).indexOf(name)][r];
    expect([0, 1, 2].map((r) => Number.isNaN(lag(every, "lag_1", r)))).toEqual([false, true, true]);
    expect([0, 1, 2].map((r) => Number.isNaN(lag(every, "lag_2", r)))).toEqual([false, false, true]);
    // Step 1 rows are the recursive model's rows.
    expect(lag(every, "lag_1", 0)).toBe(lag(recursive, "lag_1", 0));
    const one = buildTrainingRows(panel, spec, { steps: { from: 1, to: 3, rows: "one" } });
    expect(one.X.nRows).toBe(recursive.X.nRows);
    // Step 1 + (t + series) mod 3: t = 4 gives steps 2 and 3 for series 0 and 1, t = 5 steps 3 and 1.
    const hidden = (r: number) => ["lag_1", "lag_2"].filter((n) => Number.isNaN(lag(one, n, r))).length;
    expect([0, 1, 2, 3].map(hidden)).toEqual([1, 2, 2, 0]);
  });
});
