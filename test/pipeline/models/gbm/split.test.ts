import { describe, expect, it } from "vitest";
import { fitGbm, featureMatrixFromRows } from "../../../../src/pipeline/models/gbm/index.js";
import { Arena } from "../../../../src/pipeline/models/gbm/arena.js";
import { binMatrix } from "../../../../src/pipeline/models/gbm/binning.js";
import { FixedPointResiduals } from "../../../../src/pipeline/models/gbm/fixedpoint.js";
import { createKernels, kernelArenaBytes } from "../../../../src/pipeline/models/gbm/kernels.js";
import { Rng } from "../../../../src/pipeline/models/gbm/prng.js";
import { SplitCandidate } from "../../../../src/pipeline/models/gbm/split.js";

const stump = { nIterations: 1, learningRate: 1, maxLeaves: 2, minSamplesLeaf: 1 };

describe("split finding on a hand-computed example", () => {
  // x = 1..6, y = [1, 1, 1, 5, 5, 9]: mean 11/3, gradients (pred - y) = [8/3 x3, -4/3 x2, -16/3], G = 0, H = 6.
  // Children scores GL²/(HL+λ) + GR²/(HR+λ) with λ = 1 for thresholds after x = 1..5:
  //   (8/3)²/2 + (8/3)²/6 = 4.74,  (16/3)²/3 + (16/3)²/5 = 15.17,  8²/4 + 8²/4 = 32,
  //   (20/3)²/5 + (20/3)²/3 = 23.70,  (16/3)²/6 + (16/3)²/2 = 18.96.
  // Best: x <= 3.5 with gain 32 - 0²/7 = 32. Leaf values -G/(H+λ): left -8/4 = -2, right 8/4 = 2,
  // so predictions 11/3 - 2 = 5/3 and 11/3 + 2 = 17/3 (without L2 they would be the means 1 and 19/3).
  const X = featureMatrixFromRows([[1], [2], [3], [4], [5], [6]]);
  const y = Float64Array.from([1, 1, 1, 5, 5, 9]);

  it("finds the threshold, gain and L2-shrunk leaf values", () => {
    const model = fitGbm(X, y, { ...stump, l2: 1 });
    expect(model.nTrees).toBe(1);
    const tree = model.trees[0];
    expect(Array.from(tree.splitFeature)).toEqual([0]);
    expect(Array.from(tree.threshold)).toEqual([3.5]);
    expect(tree.splitGain[0]).toBeCloseTo(32, 9);
    // Fixed-point gradients here have a resolution of 2^-42, so values are exact to ~1e-12.
    expect(model.predictRow([2])).toBeCloseTo(5 / 3, 11);
    expect(model.predictRow([6])).toBeCloseTo(17 / 3, 11);
    expect(model.featureImportance("gain")[0]).toBeCloseTo(32, 9);
    expect(Array.from(model.featureImportance("split"))).toEqual([1]);
  });

  it("gives the leaf means without L2", () => {
    const model = fitGbm(X, y, { ...stump, l2: 0 });
    expect(model.predictRow([1])).toBeCloseTo(1, 11);
    expect(model.predictRow([5])).toBeCloseTo(19 / 3, 11);
  });

  it("splits only when the gain exceeds minGainToSplit (32 here)", () => {
    expect(fitGbm(X, y, { ...stump, l2: 1, minGainToSplit: 31.999 }).nTrees).toBe(1);
    const none = fitGbm(X, y, { ...stump, l2: 1, minGainToSplit: 32.001 });
    expect(none.nTrees).toBe(0);
    expect(none.training?.stoppedBy).toBe("no-split");
    expect(none.predictRow([1])).toBeCloseTo(11 / 3, 14);
  });

  it("respects minSamplesLeaf when choosing the threshold", () => {
    // With 4 rows required per child no threshold qualifies; with 3 the best one (after x = 3) does.
    expect(fitGbm(X, y, { ...stump, minSamplesLeaf: 4 }).nTrees).toBe(0);
    expect(Array.from(fitGbm(X, y, { ...stump, minSamplesLeaf: 3 }).trees[0].threshold)).toEqual([3.5]);
  });
});

describe("missing values", () => {
  it("learns to send missing rows right when they look like the right side", () => {
    const X = featureMatrixFromRows([[1], [2], [3], [4], [NaN], [NaN]]);
    const model = fitGbm(X, Float64Array.from([0, 0, 10, 10, 10, 10]), stump);
    const tree = model.trees[0];
    expect(Array.from(tree.threshold)).toEqual([2.5]);
    expect(Array.from(tree.missingLeft)).toEqual([0]);
    expect(model.predictRow([NaN])).toBeCloseTo(10, 11);
    expect(model.predictRow([1])).toBeCloseTo(0, 11);
  });

  it("learns to send missing rows left when they look like the left side", () => {
    const X = featureMatrixFromRows([[1], [2], [3], [4], [NaN], [NaN]]);
    const model = fitGbm(X, Float64Array.from([0, 0, 10, 10, 0, 0]), stump);
    expect(Array.from(model.trees[0].threshold)).toEqual([2.5]);
    expect(Array.from(model.trees[0].missingLeft)).toEqual([1]);
    expect(model.predictRow([NaN])).toBeCloseTo(0, 11);
  });

  it("sends missing values to the larger child when training had none", () => {
    const X = featureMatrixFromRows([[1], [2], [3], [4], [5], [6]]);
    const model = fitGbm(X, Float64Array.from([0, 0, 0, 0, 10, 10]), stump);
    expect(Array.from(model.trees[0].threshold)).toEqual([4.5]);
    expect(Array.from(model.trees[0].missingLeft)).toEqual([1]);
    expect(model.predictRow([NaN])).toBeCloseTo(0, 11);
  });
});

describe("WebAssembly and JavaScript split scans", () => {
  it("pick the same split on random histograms with missing values and L2", () => {
    const rng = new Rng(21);
    const n = 3000;
    const nFeatures = 7;
    const columns = Array.from({ length: nFeatures }, (_, f) =>
      Float64Array.from({ length: n }, () => (rng.nextFloat() < 0.1 * (f % 3) ? NaN : Math.floor(rng.nextFloat() * (f === 0 ? 5 : 400)))),
    );
    const y = Float64Array.from({ length: n }, (_, r) => (columns[1][r] > 200 ? 3 : 0) + rng.nextFloat());
    const arena = Arena.create(40e6);
    expect(arena.memory).not.toBeNull();
    const data = binMatrix({ nRows: n, nFeatures, columns }, 255, 1e6, new Rng(1), (length) => arena.u8(length));
    const residuals = new FixedPointResiduals(y, 1.5, arena.f64(n));
    const wasm = createKernels(data, residuals.packed, residuals.countBase, arena);
    const js = createKernels(data, residuals.packed, residuals.countBase, null);
    expect([wasm.kind, js.kind]).toEqual(["wasm", "js"]);
    expect(kernelArenaBytes(n, nFeatures)).toBeGreaterThan(0);
    const hist = arena.f64(data.rowStride * data.histStride);
    const rows = arena.u32(n);
    const features = Int32Array.from({ length: nFeatures }, (_, f) => f);
    for (let trial = 0; trial < 40; trial++) {
      let m = 0;
      const keep = 0.02 + rng.nextFloat();
      for (let r = 0; r < n; r++) if (rng.nextFloat() < keep) rows[m++] = r;
      wasm.build(rows, 0, m, hist);
      let total = 0;
      for (let k = 0; k <= data.nValueBins[0]; k++) total += hist[k];
      const rules = { minCount: 1 + rng.nextInt(30), l2: trial % 2 === 0 ? 0 : rng.nextFloat() * 10, minGain: 0 };
      const nUsed = 1 + rng.nextInt(nFeatures);
      const a = new SplitCandidate();
      const b = new SplitCandidate();
      wasm.findBestSplit(hist, features, nUsed, total, rules, a);
      js.findBestSplit(hist, features, nUsed, total, rules, b);
      expect(a).toEqual(b);
      if (trial < 3) expect(a.feature).toBeGreaterThanOrEqual(0);
    }
  });
});
