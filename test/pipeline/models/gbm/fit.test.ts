import { describe, expect, it } from "vitest";
import {
  DEFAULT_GBM_PARAMS,
  featureMatrixFromRows,
  fitGbm,
  resolveGbmParams,
  type FeatureMatrix,
  type GbmIterationInfo,
} from "../../../../src/pipeline/models/gbm/index.js";
import { Rng } from "../../../../src/pipeline/models/gbm/prng.js";

function rmse(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

function randomRows(n: number, nFeatures: number, seed: number, lo = 0, hi = 1): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: nFeatures }, () => lo + (hi - lo) * rng.nextFloat()));
}

/** A 50 x 50 grid of cell centres over [lo, hi]², for testing away from the training points. */
function grid(lo: number, hi: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < 50; i++) for (let j = 0; j < 50; j++) out.push([lo + ((i + 0.5) * (hi - lo)) / 50, lo + ((j + 0.5) * (hi - lo)) / 50]);
  return out;
}

/** For each tree, the number of training rows in each leaf. */
function leafCounts(model: ReturnType<typeof fitGbm>, rows: number[][]): number[][] {
  return model.trees.map((tree) => {
    const counts = new Array<number>(tree.nLeaves).fill(0);
    for (const row of rows) counts[tree.leafIndex(row)]++;
    return counts;
  });
}

describe("fitGbm recovers known functions", () => {
  it("fits a step with one split per tree, exactly at the step", () => {
    // y jumps from 0 to 10 between x = 49 and 50. Every tree is a stump at 49.5 (after the first
    // split both sides are constant, so nothing else gains), each removing 10% of the remaining
    // error: after 100 rounds at learning rate 0.1 the error is 5 * 0.9^100 = 1.3e-4 everywhere.
    const rows = Array.from({ length: 100 }, (_, i) => [i]);
    const y = Float64Array.from(rows, ([x]) => (x < 50 ? 0 : 10));
    const model = fitGbm(featureMatrixFromRows(rows), y, { nIterations: 100, learningRate: 0.1, minSamplesLeaf: 5 });
    expect(model.nTrees).toBe(100);
    for (const tree of model.trees) {
      expect(Array.from(tree.splitFeature)).toEqual([0]);
      expect(Array.from(tree.threshold)).toEqual([49.5]);
    }
    expect(rmse(model.predict(featureMatrixFromRows(rows)), y)).toBeCloseTo(5 * 0.9 ** 100, 6);
  });

  it("fits an additive function of two features", () => {
    // f = sin(2 pi x1) + 2 (x2 - 0.5)², sd 0.74 over the square, no noise, 3000 random points.
    // With bins ~1/255 wide the piecewise-constant error alone is ~2 pi / 255 / sqrt(12) = 0.007;
    // 500 rounds of 8-leaf trees measure 0.011-0.016 on a 50 x 50 grid. Stumps (no interactions
    // needed: the function is additive) do almost as well, 0.03.
    const f = (a: number, b: number): number => Math.sin(2 * Math.PI * a) + 2 * (b - 0.5) ** 2;
    const rows = randomRows(3000, 2, 1);
    const y = Float64Array.from(rows, ([a, b]) => f(a, b));
    const test = grid(0, 1);
    const yTest = Float64Array.from(test, ([a, b]) => f(a, b));
    const params = { nIterations: 500, learningRate: 0.1, maxLeaves: 8, minSamplesLeaf: 5 };
    const model = fitGbm(featureMatrixFromRows(rows), y, params);
    expect(rmse(model.predict(featureMatrixFromRows(test)), yTest)).toBeLessThan(0.03);
    const stumps = fitGbm(featureMatrixFromRows(rows), y, { ...params, maxDepth: 1 });
    expect(rmse(stumps.predict(featureMatrixFromRows(test)), yTest)).toBeLessThan(0.05);
  });

  it("fits the interaction x1 * x2, which additive stumps cannot", () => {
    // Over [-1, 1]², x1 x2 has sd 1/3 and no additive part, so stumps stay at ~0.33 while deeper
    // trees reach ~0.02 (measured 0.013-0.021 with 2000-5000 points).
    const rows = randomRows(4000, 2, 2, -1, 1);
    const y = Float64Array.from(rows, ([a, b]) => a * b);
    const test = grid(-1, 1);
    const yTest = Float64Array.from(test, ([a, b]) => a * b);
    const params = { nIterations: 500, learningRate: 0.1, maxLeaves: 8, minSamplesLeaf: 5 };
    const model = fitGbm(featureMatrixFromRows(rows), y, params);
    expect(rmse(model.predict(featureMatrixFromRows(test)), yTest)).toBeLessThan(0.04);
    const stumps = fitGbm(featureMatrixFromRows(rows), y, { ...params, maxDepth: 1 });
    expect(rmse(stumps.predict(featureMatrixFromRows(test)), yTest)).toBeGreaterThan(0.3);
  });

  it("predicts the mean when y is constant (no tree can gain)", () => {
    const model = fitGbm(featureMatrixFromRows(randomRows(50, 2, 3)), new Float64Array(50).fill(4.25), { nIterations: 10 });
    expect(model.nTrees).toBe(0);
    expect(model.initScore).toBe(4.25);
    expect(model.predictRow([0.5, 0.5])).toBe(4.25);
  });
});

describe("tree shape limits", () => {
  const rows = randomRows(600, 3, 4);
  const y = Float64Array.from(rows, ([a, b, c]) => Math.sin(6 * a) + b * c + (c > 0.5 ? 1 : 0));
  const X = featureMatrixFromRows(rows);

  it("honours minSamplesLeaf in every leaf", () => {
    const model = fitGbm(X, y, { nIterations: 20, minSamplesLeaf: 37, maxLeaves: 31 });
    const counts = leafCounts(model, rows).flat();
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(37);
    expect(Math.min(...counts)).toBeLessThan(74); // the limit binds
  });

  it("honours maxDepth", () => {
    const model = fitGbm(X, y, { nIterations: 20, maxDepth: 3, maxLeaves: 31, minSamplesLeaf: 1 });
    const depths = model.trees.flatMap((t) => Array.from(t.leafDepths()));
    expect(Math.max(...depths)).toBe(3);
    expect(Math.max(...model.trees.map((t) => t.nLeaves))).toBeLessThanOrEqual(8);
  });

  it("honours maxLeaves, growing best-first up to it", () => {
    const model = fitGbm(X, y, { nIterations: 20, maxLeaves: 5, minSamplesLeaf: 1 });
    expect(model.trees.map((t) => t.nLeaves)).toEqual(new Array(20).fill(5));
    // Best-first growth with 5 leaves can make paths longer than a balanced tree's 3 levels.
    expect(Math.max(...model.trees.flatMap((t) => Array.from(t.leafDepths())))).toBeGreaterThanOrEqual(3);
  });
});

describe("subsampling", () => {
  const rows = randomRows(800, 4, 5);
  const y = Float64Array.from(rows, ([a, b, c, d]) => a + 2 * b + Math.sin(5 * c) + d * d);
  const X = featureMatrixFromRows(rows);

  it("is deterministic for a seed and differs for another seed", () => {
    const params = { nIterations: 15, rowSubsample: 0.6, featureSubsample: 0.5 };
    const a = fitGbm(X, y, { ...params, seed: 1 }).toJSON();
    const b = fitGbm(X, y, { ...params, seed: 1 }).toJSON();
    const c = fitGbm(X, y, { ...params, seed: 2 }).toJSON();
    expect(b).toEqual(a);
    expect(c.trees).not.toEqual(a.trees);
  });

  it("gives each tree only the sampled features", () => {
    // One of four features per tree: every tree splits on a single feature, and over 40 trees
    // each feature gets picked (the chance that one never is, is 4 * (3/4)^40 < 1e-4; the seed is fixed).
    const model = fitGbm(X, y, { nIterations: 40, featureSubsample: 0.25, seed: 3 });
    for (const tree of model.trees) expect(new Set(tree.splitFeature).size).toBe(1);
    expect(Array.from(model.featureImportance("split")).every((count) => count > 0)).toBe(true);
  });

  it("draws a new bag every baggingFrequency rounds", () => {
    // A new bag means the root histogram must be built from rows; otherwise it is derived from the previous tree.
    const every5 = fitGbm(X, y, { nIterations: 20, rowSubsample: 0.5, baggingFrequency: 5 }).training!.stats;
    expect([every5.builtRoots, every5.derivedRoots]).toEqual([4, 16]);
    const every1 = fitGbm(X, y, { nIterations: 20, rowSubsample: 0.5 }).training!.stats;
    expect([every1.builtRoots, every1.derivedRoots]).toEqual([20, 0]);
    const none = fitGbm(X, y, { nIterations: 20 }).training!.stats;
    expect([none.builtRoots, none.derivedRoots]).toEqual([1, 19]);
  });

  it("still fits well on bags (out-of-bag rows are updated too)", () => {
    const model = fitGbm(X, y, { nIterations: 300, rowSubsample: 0.5, learningRate: 0.1, minSamplesLeaf: 5 });
    expect(rmse(model.predict(X), y)).toBeLessThan(0.1);
  });
});

describe("early stopping", () => {
  // Two groups, x = 0 (y = 0) and x = 1 (y = 10), 20 rows each. Each round is a stump on x that
  // moves each group 10% closer to its target: group 1 predicts 10 - 5 * 0.9^t after t rounds.
  // The validation set wants 3 and 7, so its MSE is (3 - 5 * 0.9^t)²: 4, 2.25, 1.10, 0.41, 0.079,
  // 0.0023, 0.117, 0.35, ... Best after 5 trees; with patience 3, training stops after tree 8.
  const train = featureMatrixFromRows(Array.from({ length: 40 }, (_, i) => [i % 2]));
  const trainY = Float64Array.from({ length: 40 }, (_, i) => (i % 2) * 10);
  const valid = featureMatrixFromRows([[0], [1], [0], [1]]);
  const validY = Float64Array.from([3, 7, 3, 7]);
  const params = { nIterations: 100, learningRate: 0.1, minSamplesLeaf: 1, earlyStoppingRounds: 3 };

  it("stops at the expected round and keeps the best trees", () => {
    const seen: GbmIterationInfo[] = [];
    const model = fitGbm(train, trainY, params, { validation: { X: valid, y: validY }, onIteration: (info) => seen.push(info) });
    expect(seen.map((s) => s.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen.map((s) => s.bestIteration)).toEqual([1, 2, 3, 4, 5, 5, 5, 5]);
    expect(seen[4].validRmse).toBeCloseTo(Math.abs(3 - 5 * 0.9 ** 5), 9);
    expect(seen[0].trainRmse).toBeCloseTo(5 * 0.9, 9);
    expect(model.nTrees).toBe(5);
    expect(model.training).toMatchObject({ iterationsRun: 8, bestIteration: 5, stoppedBy: "early-stopping", trainRows: 40, validRows: 4 });
    expect(model.training?.validRmse).toBeCloseTo(Math.abs(3 - 5 * 0.9 ** 5), 9);
    expect(model.predictRow([1])).toBeCloseTo(10 - 5 * 0.9 ** 5, 9);
  });

  it("takes the last rows as validation with validationFraction", () => {
    const rows = [...Array.from({ length: 40 }, (_, i) => [i % 2]), [0], [1], [0], [1], [0], [1], [0], [1], [0], [1]];
    const y = Float64Array.from([...trainY, 3, 7, 3, 7, 3, 7, 3, 7, 3, 7]);
    const model = fitGbm(featureMatrixFromRows(rows), y, { ...params, validationFraction: 0.2 });
    expect(model.training).toMatchObject({ iterationsRun: 8, bestIteration: 5, trainRows: 40, validRows: 10 });
    expect(model.nTrees).toBe(5);
  });

  it("keeps all trees when validation is given without early stopping", () => {
    const model = fitGbm(train, trainY, { ...params, earlyStoppingRounds: undefined, nIterations: 12 }, { validation: { X: valid, y: validY } });
    expect(model.nTrees).toBe(12);
    expect(model.training?.bestIteration).toBe(5);
  });

  it("refuses early stopping without validation data, and two sources of it", () => {
    expect(() => fitGbm(train, trainY, params)).toThrow(
      "config: gbm parameter earlyStoppingRounds needs validation data: pass options.validation or set validationFraction",
    );
    expect(() => fitGbm(train, trainY, { ...params, validationFraction: 0.1 }, { validation: { X: valid, y: validY } })).toThrow(
      "config: give either options.validation or the gbm parameter validationFraction, not both",
    );
  });
});

describe("kernels", () => {
  it("WebAssembly and JavaScript kernels grow identical models", () => {
    const rows = randomRows(1200, 5, 6).map((row, i) => (i % 7 === 0 ? [NaN, ...row.slice(1)] : row));
    const y = Float64Array.from(rows, ([a, b, c]) => (Number.isNaN(a) ? 2 : a) + b * c);
    const params = { nIterations: 30, maxLeaves: 15, minSamplesLeaf: 3, rowSubsample: 0.7, featureSubsample: 0.8, l2: 0.5 };
    const wasm = fitGbm(featureMatrixFromRows(rows), y, params);
    const js = fitGbm(featureMatrixFromRows(rows), y, params, { kernel: "js" });
    expect(wasm.training?.stats.kernel).toBe("wasm");
    expect(js.training?.stats.kernel).toBe("js");
    expect(wasm.toJSON()).toEqual(js.toJSON());
  });
});

describe("Float32 input", () => {
  it("grows the same model from Float32Array columns as from Float64Array columns holding the same values", () => {
    const rows = randomRows(500, 3, 7);
    const f32 = rows[0].map((_, f) => Float32Array.from(rows, (row) => row[f]));
    const f64 = f32.map((c) => Float64Array.from(c));
    const y = Float64Array.from(f64[0], (v, r) => v * 2 + f64[1][r]);
    const a = fitGbm({ nRows: 500, nFeatures: 3, columns: f32 }, y, { nIterations: 20 });
    const b = fitGbm({ nRows: 500, nFeatures: 3, columns: f64 }, y, { nIterations: 20 });
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(Array.from(a.predict({ nRows: 500, nFeatures: 3, columns: f32 }))).toEqual(Array.from(b.predict({ nRows: 500, nFeatures: 3, columns: f64 })));
  });
});

describe("input checks", () => {
  const X = featureMatrixFromRows([[1], [2], [3]]);

  it("names bad parameters", () => {
    expect(() => resolveGbmParams({ learningRate: 0 })).toThrow("config: gbm parameter learningRate must be a number > 0, got 0");
    expect(() => resolveGbmParams({ maxBins: 256 })).toThrow("config: gbm parameter maxBins must be an integer in 2..255, got 256");
    expect(() => resolveGbmParams({ maxDepth: 0 })).toThrow("config: gbm parameter maxDepth must be -1 (unlimited) or an integer >= 1, got 0");
    expect(() => resolveGbmParams({ learning_rate: 0.1 } as never)).toThrow(
      /^config: unknown gbm parameter "learning_rate"; known parameters: nIterations, learningRate/,
    );
    expect(resolveGbmParams({})).toEqual(DEFAULT_GBM_PARAMS);
  });

  it("rejects mismatched shapes, infinite features and missing targets", () => {
    expect(() => fitGbm(X, Float64Array.from([1, 2]))).toThrow("model: fitGbm: y must be a Float64Array of 3 values (one per row), got 2 values");
    expect(() => fitGbm(X, Float64Array.from([1, NaN, 2]))).toThrow(
      "model: fitGbm: y[1] is NaN; targets must be finite, drop rows without a target before training",
    );
    const bad: FeatureMatrix = { nRows: 3, nFeatures: 1, columns: [Float64Array.from([1, Infinity, 2])], names: ["lag_1"] };
    expect(() => fitGbm(bad, Float64Array.from([1, 2, 3]))).toThrow(
      'model: fitGbm: feature "lag_1" is Infinity at row 1; features must be finite or NaN (missing), check the feature code for a division by zero',
    );
    expect(() => fitGbm({ nRows: 3, nFeatures: 2, columns: [new Float64Array(3)] }, Float64Array.from([1, 2, 3]))).toThrow(
      "model: fitGbm: X: nFeatures is 2 but 1 columns were given",
    );
  });
});
