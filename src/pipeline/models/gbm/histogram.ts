/**
 * Gradient/hessian histograms: for one leaf, per feature and bin, the packed sum
 * (see fixedpoint.ts) of the gradients and hessians of the leaf's rows that fall in that bin.
 *
 * Layout: one Float64Array per leaf, 256 slots per feature, slot `(feature << 8) | code`.
 * A fixed stride keeps the kernel free of per-feature offset lookups; low-cardinality features
 * waste a few slots, which costs nothing in the hot loop.
 */

/** Slots per feature. */
export const BINS_PER_FEATURE = 256;

/** Length of a histogram over `nFeatures` features. */
export function histogramLength(nFeatures: number): number {
  return nFeatures * BINS_PER_FEATURE;
}

/**
 * Builds the histogram of `rows[begin..end)` into `hist` (overwritten).
 *
 * This is the training hot loop. It walks rows and, inside, all features of the row-major code
 * matrix: one byte read and one double add per (row, feature), with the features unrolled by 4.
 * Measured on 40,000 x 90 against per-feature loops over the column-major codes, this was 1.5-2x
 * faster (sequential reads of a row's codes, one gradient load per row); see bench/gbm.ts.
 */
export function buildHistogram(
  rowMajor: Uint8Array,
  nFeatures: number,
  rows: Uint32Array,
  begin: number,
  end: number,
  packed: Float64Array,
  hist: Float64Array,
): void {
  hist.fill(0);
  const unrolled = nFeatures & ~3;
  for (let i = begin; i < end; i++) {
    const r = rows[i];
    const g = packed[r];
    let p = r * nFeatures;
    const stop = p + unrolled;
    let o = 0;
    for (; p < stop; p += 4, o += 1024) {
      hist[o | rowMajor[p]] += g;
      hist[(o + 256) | rowMajor[p + 1]] += g;
      hist[(o + 512) | rowMajor[p + 2]] += g;
      hist[(o + 768) | rowMajor[p + 3]] += g;
    }
    for (let f = unrolled; f < nFeatures; f++, p++) hist[(f << 8) | rowMajor[p]] += g;
  }
}

/** Same as {@link buildHistogram} over all rows `0..n-1` (no index array). */
export function buildHistogramAllRows(rowMajor: Uint8Array, nFeatures: number, n: number, packed: Float64Array, hist: Float64Array): void {
  hist.fill(0);
  const unrolled = nFeatures & ~3;
  for (let r = 0; r < n; r++) {
    const g = packed[r];
    let p = r * nFeatures;
    const stop = p + unrolled;
    let o = 0;
    for (; p < stop; p += 4, o += 1024) {
      hist[o | rowMajor[p]] += g;
      hist[(o + 256) | rowMajor[p + 1]] += g;
      hist[(o + 512) | rowMajor[p + 2]] += g;
      hist[(o + 768) | rowMajor[p + 3]] += g;
    }
    for (let f = unrolled; f < nFeatures; f++, p++) hist[(f << 8) | rowMajor[p]] += g;
  }
}

/** `parent -= child`, turning the parent's histogram into the sibling's (exact: packed sums are integers). */
export function subtractHistogram(parent: Float64Array, child: Float64Array, nFeatures: number, nValueBins: Int32Array): void {
  for (let f = 0; f < nFeatures; f++) {
    const start = f << 8;
    const stop = start + nValueBins[f] + 1;
    for (let k = start; k < stop; k++) parent[k] -= child[k];
  }
}

/**
 * The root histogram of the next tree from the leaf histograms of the previous one, when both
 * trees see the same rows: every row of leaf L had `valueInt[L]` added to its residual, so each
 * bin's packed sum grows by `valueInt[L] * countBase * (rows of L in the bin)`. This costs
 * leaves x bins instead of rows x features (~5x less at 40,000 rows and 31 leaves), and is exact.
 */
export function rootFromLeaves(
  out: Float64Array,
  leafHists: readonly Float64Array[],
  valueInt: Float64Array,
  nLeaves: number,
  countBase: number,
  nFeatures: number,
  nValueBins: Int32Array,
): void {
  out.fill(0);
  const invCountBase = 1 / countBase;
  for (let leaf = 0; leaf < nLeaves; leaf++) {
    const h = leafHists[leaf];
    const delta = valueInt[leaf] * countBase;
    for (let f = 0; f < nFeatures; f++) {
      const start = f << 8;
      const stop = start + nValueBins[f] + 1;
      if (delta === 0) {
        for (let k = start; k < stop; k++) out[k] += h[k];
      } else {
        for (let k = start; k < stop; k++) {
          const s = h[k];
          out[k] += s + delta * (s - Math.floor(s * invCountBase) * countBase);
        }
      }
    }
  }
}

/** Reuses histogram buffers across leaves and trees (each is nFeatures x 256 doubles). */
export class HistogramPool {
  private readonly free: Float64Array[] = [];
  constructor(private readonly length: number) {}

  /** A buffer with arbitrary content. */
  acquire(): Float64Array {
    return this.free.pop() ?? new Float64Array(this.length);
  }

  /** Returns a buffer for reuse. */
  release(hist: Float64Array): void {
    this.free.push(hist);
  }
}
