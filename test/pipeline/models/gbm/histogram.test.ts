import { describe, expect, it } from "vitest";
import { Arena } from "../../../../src/pipeline/models/gbm/arena.js";
import { binMatrix, type BinnedMatrix } from "../../../../src/pipeline/models/gbm/binning.js";
import { countOf, FixedPointResiduals, gradientOf } from "../../../../src/pipeline/models/gbm/fixedpoint.js";
import { buildHistogramJs } from "../../../../src/pipeline/models/gbm/histogram.js";
import { TreeGrower } from "../../../../src/pipeline/models/gbm/grow.js";
import { createKernels } from "../../../../src/pipeline/models/gbm/kernels.js";
import { Rng } from "../../../../src/pipeline/models/gbm/prng.js";

function setup(n: number, nFeatures: number, seed: number) {
  const rng = new Rng(seed);
  const columns = Array.from({ length: nFeatures }, (_, f) =>
    Float64Array.from({ length: n }, () => (rng.nextFloat() < 0.05 ? NaN : rng.nextFloat() * (f + 1))),
  );
  const y = Float64Array.from({ length: n }, () => rng.nextFloat() * 100 - 20);
  const arena = Arena.create(30e6);
  const data = binMatrix({ nRows: n, nFeatures, columns }, 255, 1e6, new Rng(seed), (length) => arena.u8(length));
  const residuals = new FixedPointResiduals(y, 30, arena.f64(n));
  return { rng, arena, data, residuals };
}

/** The slots of the real features (padding features' slots are never read). */
function used(hist: Float64Array, data: BinnedMatrix): number[] {
  return Array.from(hist.subarray(0, data.nFeatures * data.histStride));
}

describe("histogram kernels", () => {
  it("build the same histogram in WebAssembly and JavaScript, matching a direct count", () => {
    const { rng, arena, data, residuals } = setup(2000, 6, 3);
    const wasm = createKernels(data, residuals.packed, residuals.countBase, arena);
    expect(wasm.kind).toBe("wasm");
    const rows = arena.u32(2000);
    let m = 0;
    for (let r = 0; r < 2000; r++) if (rng.nextFloat() < 0.3) rows[m++] = r;
    const a = arena.f64(data.rowStride * data.histStride);
    const b = new Float64Array(data.rowStride * data.histStride);
    wasm.build(rows, 0, m, a);
    buildHistogramJs(data, rows, 0, m, residuals.packed, b);
    expect(used(a, data)).toEqual(used(b, data));
    // Decode feature 2, bin by bin: gradient sums and counts of the rows in each bin.
    const f = 2;
    for (let code = 0; code <= data.nValueBins[f]; code++) {
      let g = 0;
      let c = 0;
      for (let i = 0; i < m; i++) {
        if (data.columnMajor[f * 2000 + rows[i]] === code) {
          g += residuals.residual[rows[i]];
          c++;
        }
      }
      const packed = a[f * data.histStride + code];
      expect(gradientOf(packed, residuals.invCountBase)).toBe(g);
      expect(countOf(packed, residuals.countBase, residuals.invCountBase)).toBe(c);
    }
  });

  it("derive a sibling by subtraction and the next root from the leaves, exactly", () => {
    const { arena, data, residuals } = setup(1500, 5, 8);
    for (const kernels of [
      createKernels(data, residuals.packed, residuals.countBase, arena),
      createKernels(data, residuals.packed, residuals.countBase, null),
    ]) {
      const len = data.rowStride * data.histStride;
      const rows = arena.u32(1500);
      for (let r = 0; r < 1500; r++) rows[r] = r;
      // Two "leaves": even and odd rows.
      const even = arena.u32(750);
      const odd = arena.u32(750);
      for (let i = 0; i < 750; i++) {
        even[i] = 2 * i;
        odd[i] = 2 * i + 1;
      }
      const parent = arena.f64(len);
      const left = arena.f64(len);
      const right = arena.f64(len);
      kernels.build(rows, 0, 1500, parent);
      kernels.build(even, 0, 750, left);
      kernels.build(odd, 0, 750, right);
      kernels.subtract(parent, left);
      expect(used(parent, data)).toEqual(used(right, data));

      // Add a value to each leaf's rows; the root derived from the leaves equals a rebuild.
      const values = Float64Array.from([-12345, 678]);
      const root = arena.f64(len);
      kernels.rootFromLeaves(root, [left, right], values, 2, residuals.countBase);
      residuals.addToRows(even, 0, 750, values[0]);
      residuals.addToRows(odd, 0, 750, values[1]);
      const rebuilt = arena.f64(len);
      kernels.build(rows, 0, 1500, rebuilt);
      expect(used(root, data)).toEqual(used(rebuilt, data));
      residuals.addToRows(even, 0, 750, -values[0]);
      residuals.addToRows(odd, 0, 750, -values[1]);
    }
  });
});

describe("FixedPointResiduals", () => {
  it("packs gradient and count so that sums decode exactly, negative gradients included", () => {
    const base = 2 ** 10;
    const packed = -37 * base + 5;
    expect(gradientOf(packed, 1 / base)).toBe(-37);
    expect(countOf(packed, base, 1 / base)).toBe(5);
    expect(gradientOf(0, 1 / base)).toBe(0);
  });

  it("chooses a power-of-two scale using a quarter of the exact range", () => {
    const y = Float64Array.from([0, 10, 20]);
    const r = new FixedPointResiduals(y, 10);
    expect(r.countBase).toBe(4);
    expect(Math.log2(r.scale) % 1).toBe(0);
    const max = Math.max(...Array.from(r.residual, Math.abs));
    expect(max).toBeLessThanOrEqual(r.limit / 4);
    expect(max).toBeGreaterThan(r.limit / 8);
    expect(Array.from(r.residual)).toEqual([10 * r.scale, 0, -10 * r.scale]);
    expect(Array.from(r.packed)).toEqual([10 * r.scale * 4 + 1, 1, -10 * r.scale * 4 + 1]);
  });

  it("coarsens its grid when residuals outgrow the exact range", () => {
    const y = Float64Array.from([0, 10, 20]);
    const r = new FixedPointResiduals(y, 10);
    const before = r.scale;
    expect(r.rescaleIfNeeded()).toBe(false);
    const rows = Uint32Array.from([0]);
    r.addToRows(rows, 0, 1, r.limit); // row 0 now far beyond the limit
    expect(r.rescaleIfNeeded()).toBe(true);
    expect(r.scale).toBeLessThan(before);
    expect(Math.max(...Array.from(r.residual, Math.abs))).toBeLessThanOrEqual(r.limit / 4);
    // Residuals keep their value in target units (to the new resolution).
    expect(r.residual[2] / r.scale).toBeCloseTo(-10, 3);
    expect(r.packed[2]).toBe(r.residual[2] * r.countBase + 1);
  });
});

describe("TreeGrower", () => {
  it("grows the same trees with lazy split scans as with eager ones, with fewer scans", () => {
    for (let seed = 0; seed < 6; seed++) {
      const rng = new Rng(seed);
      const n = 1200;
      const columns = Array.from({ length: 5 }, () =>
        Float64Array.from({ length: n }, () => (rng.nextFloat() < 0.05 ? NaN : Math.round(rng.nextFloat() * 500) / 10)),
      );
      const y = Float64Array.from(
        { length: n },
        (_, r) => (Number.isNaN(columns[0][r]) ? 3 : columns[0][r] / 10) + Math.sin(columns[1][r] || 0) + rng.nextFloat(),
      );
      const settings = { maxLeaves: 5 + 4 * seed, maxDepth: seed === 2 ? 3 : -1, minCount: 1 + seed, l2: seed % 3, minGainToSplit: 0, learningRate: 0.2 };
      const features = Int32Array.from([0, 1, 2, 3, 4]);
      const grow = (eagerScans: boolean) => {
        const data = binMatrix({ nRows: n, nFeatures: 5, columns }, 255, 1e6, new Rng(0));
        const residuals = new FixedPointResiduals(y, 2.5);
        const grower = new TreeGrower(data, residuals, { ...settings, eagerScans });
        const trees = Array.from({ length: 15 }, () => grower.grow(features, 5));
        return { trees, scans: grower.stats.evaluations };
      };
      const lazy = grow(false);
      const eager = grow(true);
      expect(lazy.trees).toEqual(eager.trees);
      expect(lazy.scans).toBeLessThanOrEqual(eager.scans);
      if (seed === 5) expect(lazy.scans).toBeLessThan(eager.scans);
    }
  });
});
