import { describe, expect, it } from "vitest";
import { binLayout, binMatrix, binValue, computeBinThresholds, MISSING_BIN, midpoint } from "../../../../src/pipeline/models/gbm/binning.js";
import { featureMatrixFromRows } from "../../../../src/pipeline/models/gbm/matrix.js";
import { Rng } from "../../../../src/pipeline/models/gbm/prng.js";
import { argsortColumn, RadixScratch } from "../../../../src/pipeline/models/gbm/radix.js";

describe("computeBinThresholds", () => {
  it("puts one bin per distinct value, edges at midpoints, when there are few values", () => {
    expect(Array.from(computeBinThresholds([3, 1, 2, 2, 1], 255))).toEqual([1.5, 2.5]);
  });

  it("places quantile edges halfway to the next value: 1..10 in 4 bins", () => {
    // Ranks ceil(i * 10 / 4) = 3, 5, 8 -> values 3, 5, 8 -> edges 3.5, 5.5, 8.5.
    expect(Array.from(computeBinThresholds([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 4))).toEqual([3.5, 5.5, 8.5]);
  });

  it("merges edges that ties make coincide", () => {
    // 3 bins over [1 x7, 2, 3, 4]: ranks ceil(10/3) = 4 and ceil(20/3) = 7 both hold 1 -> one edge 1.5.
    expect(Array.from(computeBinThresholds([1, 1, 1, 1, 1, 1, 1, 2, 3, 4], 3))).toEqual([1.5]);
  });

  it("gives a constant or empty feature no edge", () => {
    expect(computeBinThresholds([5, 5, 5], 255).length).toBe(0);
    expect(computeBinThresholds([], 255).length).toBe(0);
  });

  it("keeps an edge strictly between adjacent doubles", () => {
    const a = 1;
    const b = 1 + Number.EPSILON;
    const m = midpoint(a, b);
    expect(m >= a && m < b).toBe(true);
    expect(midpoint(-1e308, 1e308)).toBe(0);
    expect(Object.is(midpoint(-1, 1), 0)).toBe(true); // never -0: it would not survive JSON
  });
});

describe("binValue", () => {
  const edges = Float64Array.from([1.5, 2.5]);
  it("sends a value equal to an edge to the lower bin and NaN to the missing bin", () => {
    expect([1, 1.5, 1.6, 2.5, 2.6, -Infinity, Infinity].map((v) => binValue(edges, v))).toEqual([1, 1, 2, 2, 3, 1, 3]);
    expect(binValue(edges, NaN)).toBe(MISSING_BIN);
  });
});

describe("binMatrix", () => {
  it("codes a small matrix column-major and row-major, with NaN in bin 0 and a constant feature in bin 1", () => {
    const X = featureMatrixFromRows([
      [1, 7, NaN],
      [2, 7, 0.5],
      [2, 7, NaN],
      [3, 7, -0.5],
    ]);
    const b = binMatrix(X, 255, 1000, new Rng(0));
    expect(b.thresholds.map((t) => Array.from(t))).toEqual([[1.5, 2.5], [], [0]]);
    expect(Array.from(b.nValueBins)).toEqual([3, 1, 2]);
    expect(Array.from(b.columnMajor)).toEqual([1, 2, 2, 3, 1, 1, 1, 1, 0, 2, 0, 1]);
    expect(b.rowStride).toBe(4);
    const rowMajor = Array.from({ length: 4 }, (_, r) => Array.from(b.rowMajor.subarray(r * 4, r * 4 + 3)));
    expect(rowMajor).toEqual([
      [1, 1, 0],
      [2, 1, 2],
      [2, 1, 0],
      [3, 1, 1],
    ]);
    // Padding of the row-major codes is the missing code, which the kernel writes harmlessly.
    expect(b.rowMajor[3]).toBe(0);
  });

  it("places edges from a seeded sample of rows when there are more than binSampleSize", () => {
    const rng = new Rng(5);
    const column = Float64Array.from({ length: 5000 }, () => rng.nextFloat());
    const X = { nRows: 5000, nFeatures: 1, columns: [column] };
    const a = binMatrix(X, 16, 500, new Rng(11));
    const b = binMatrix(X, 16, 500, new Rng(11));
    const c = binMatrix(X, 16, 500, new Rng(12));
    expect(Array.from(a.thresholds[0])).toEqual(Array.from(b.thresholds[0]));
    expect(Array.from(a.thresholds[0])).not.toEqual(Array.from(c.thresholds[0]));
    expect(a.thresholds[0].length).toBe(15);
    // Quantiles of 500 uniforms: each of the 16 bins holds about 1/16 of all rows.
    const counts = new Array(17).fill(0);
    for (const code of a.columnMajor) counts[code]++;
    for (let code = 1; code <= 16; code++) expect(Math.abs(counts[code] / 5000 - 1 / 16)).toBeLessThan(0.03);
    // Every row's code agrees with a binary search over the edges.
    for (let r = 0; r < 5000; r++) expect(a.columnMajor[r]).toBe(binValue(a.thresholds[0], column[r]));
  });

  it("lays histograms out with a cache line of padding per feature", () => {
    expect(binLayout(90, 255)).toEqual({ rowStride: 92, histStride: 264 });
    expect(binLayout(3, 63)).toEqual({ rowStride: 4, histStride: 72 });
  });
});

describe("argsortColumn", () => {
  it("orders non-missing rows by value, ties in row order, like a stable comparison sort", () => {
    const rng = new Rng(9);
    const n = 3000;
    const column = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const u = rng.nextFloat();
      // Negatives, zeros of both signs, repeated values, NaN, huge and tiny magnitudes, and
      // long runs that share their high 32 bits (1 + k * 2^-40) to exercise the tie fix-up.
      column[r] =
        u < 0.1
          ? NaN
          : u < 0.2
            ? -0
            : u < 0.3
              ? 0
              : u < 0.4
                ? Math.floor(u * 100) - 35
                : u < 0.6
                  ? 1 + rng.nextInt(64) * 2 ** -40
                  : (rng.nextFloat() - 0.5) * 10 ** rng.nextInt(30);
    }
    const order = new Uint32Array(n);
    const m = argsortColumn(column, n, order, new RadixScratch(n));
    const expected = Array.from({ length: n }, (_, r) => r)
      .filter((r) => !Number.isNaN(column[r]))
      .sort((a, b) => column[a] - column[b] || a - b);
    expect(m).toBe(expected.length);
    expect(Array.from(order.subarray(0, m))).toEqual(expected);
  });
});
