/**
 * Feature binning, done once per fit: every feature is cut into at most `maxBins` value bins at
 * quantiles of its values, plus one bin of its own for missing values (NaN).
 *
 * Codes: 0 is the missing bin; value bins are 1..nValueBins. A value `v` gets code
 * `1 + (number of thresholds < v)`, i.e. it falls in the first bin whose upper edge is >= v.
 * A split "codes 1..c go left" is therefore the raw test `v <= thresholds[c - 1]`, the one the
 * trees apply at prediction time, so prediction needs no binning.
 */
import type { FeatureMatrix } from "./matrix.js";
import { Rng, sampleSortedIndices } from "./prng.js";
import { argsortColumn, RadixScratch } from "./radix.js";

/** Code of the missing-value bin. */
export const MISSING_BIN = 0;

/** A binned training matrix. */
export interface BinnedMatrix {
  nRows: number;
  nFeatures: number;
  /** Codes, column-major: `columnMajor[f * nRows + r]`. Used to partition rows at a split. */
  columnMajor: Uint8Array;
  /**
   * The same codes row-major, `rowMajor[r * rowStride + f]`, each row padded with code 0 to a
   * multiple of 4 features so the histogram kernel needs no remainder loop. It reads whole rows.
   */
  rowMajor: Uint8Array;
  /** Bytes per row of `rowMajor` (nFeatures rounded up to a multiple of 4). */
  rowStride: number;
  /** Histogram slots per feature (see {@link binLayout}). */
  histStride: number;
  /** Per feature, increasing upper edges of the value bins (nValueBins - 1 of them). */
  thresholds: Float64Array[];
  /** Per feature, the number of value bins (>= 1; 1 means the feature cannot split). */
  nValueBins: Int32Array;
}

/**
 * Row stride of the row-major codes (features padded to a multiple of 4) and histogram slots per
 * feature: the smallest power of two holding maxBins + 1 codes, plus 8 slots (one cache line).
 * The extra line matters: with a power-of-two stride, features whose codes are alike (lags of
 * one series) hit addresses 4 KiB apart, and the CPU's store-to-load alias check then stalls the
 * kernel; measured 2x slower on such data.
 */
export function binLayout(nFeatures: number, maxBins: number): { rowStride: number; histStride: number } {
  let slots = 2;
  while (slots < maxBins + 1) slots *= 2;
  return { rowStride: (nFeatures + 3) & ~3, histStride: slots + 8 };
}

/** A threshold strictly between two adjacent distinct values `a < b`: their midpoint, or `a` if rounding leaves no room. */
export function midpoint(a: number, b: number): number {
  // Halving first cannot overflow, unlike (a + b) / 2.
  const m = a / 2 + b / 2;
  const t = m >= a && m < b ? m : a;
  return t === 0 ? 0 : t; // no -0: it would not survive JSON
}

/**
 * Upper bin edges for one feature from its non-missing values (any order; the array is not modified).
 *
 * With at most `maxBins` distinct values every distinct value gets its own bin (edges at the
 * midpoints between neighbours, as LightGBM does). Otherwise edge `i` (1 <= i < maxBins) sits just
 * above the value at rank ceil(i * m / maxBins), halfway to the next distinct value; edges that
 * coincide because of ties are merged, so heavy ties give fewer, fuller bins.
 */
export function computeBinThresholds(values: ArrayLike<number>, maxBins: number): Float64Array {
  const sorted = (values instanceof Float64Array ? values.slice() : Float64Array.from(values)).sort();
  return thresholdsFromSorted(sorted, maxBins);
}

/** {@link computeBinThresholds} for values already in increasing order. */
export function thresholdsFromSorted(sorted: Float64Array, maxBins: number): Float64Array {
  const m = sorted.length;
  if (m === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < m; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const edges: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < m; i++) if (sorted[i] !== sorted[i - 1]) edges.push(midpoint(sorted[i - 1], sorted[i]));
    return Float64Array.from(edges);
  }
  for (let i = 1; i < maxBins; i++) {
    const rank = Math.floor((i * m + maxBins - 1) / maxBins); // ceil(i * m / maxBins), in integers
    const v = sorted[rank - 1];
    const next = upperBound(sorted, v);
    if (next >= m) break;
    const edge = midpoint(v, sorted[next]);
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return Float64Array.from(edges);
}

/** First index whose value is > v, in an increasing array. */
function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Code of value `v` given a feature's thresholds (NaN -> {@link MISSING_BIN}). */
export function binValue(thresholds: Float64Array, v: number): number {
  if (v !== v) return MISSING_BIN;
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/**
 * Bins every feature of `X`. Edges come from all rows, or from `sampleSize` rows drawn with `rng`
 * when there are more (placing quantiles needs far fewer rows than training does). `allocate`
 * provides the two code arrays (the kernels may need them in their own memory).
 */
export function binMatrix(
  X: FeatureMatrix,
  maxBins: number,
  sampleSize: number,
  rng: Rng,
  allocate: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): BinnedMatrix {
  const { nRows, nFeatures } = X;
  const sample = nRows > sampleSize ? sampleSortedIndices(nRows, sampleSize, rng) : null;
  const inSample = sample === null ? null : new Uint8Array(nRows);
  if (sample !== null && inSample !== null) for (let i = 0; i < sample.length; i++) inSample[sample[i]] = 1;
  const { rowStride, histStride } = binLayout(nFeatures, maxBins);
  const columnMajor = allocate(nRows * nFeatures);
  const rowMajor = allocate(nRows * rowStride);
  const thresholds: Float64Array[] = [];
  const nValueBins = new Int32Array(nFeatures);
  const order = new Uint32Array(nRows);
  const sorted = new Float64Array(nRows);
  const scratch = new RadixScratch(nRows);
  for (let f = 0; f < nFeatures; f++) {
    const column = X.columns[f];
    // One sort of the feature gives both the quantiles and every row's code.
    const m = argsortColumn(column, nRows, order, scratch);
    let k = 0;
    for (let i = 0; i < m; i++) {
      const r = order[i];
      if (inSample === null || inSample[r] === 1) sorted[k++] = column[r];
    }
    const edges = thresholdsFromSorted(sorted.subarray(0, k), maxBins);
    thresholds.push(edges);
    nValueBins[f] = edges.length + 1;
    const base = f * nRows;
    // Walk the rows in value order, advancing through the edges: code = 1 + #(edges < v).
    let e = 0;
    for (let i = 0; i < m; i++) {
      const r = order[i];
      const v = column[r];
      while (e < edges.length && edges[e] < v) e++;
      columnMajor[base + r] = e + 1;
      rowMajor[r * rowStride + f] = e + 1;
    }
    if (m < nRows) {
      for (let r = 0; r < nRows; r++) {
        if (column[r] !== column[r]) {
          columnMajor[base + r] = MISSING_BIN;
          rowMajor[r * rowStride + f] = MISSING_BIN;
        }
      }
    }
  }
  return { nRows, nFeatures, columnMajor, rowMajor, rowStride, histStride, thresholds, nValueBins };
}
