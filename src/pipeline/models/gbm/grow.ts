/**
 * Leaf-wise (best-first) growth of one tree, LightGBM style, and the residual update after it.
 *
 * The rows of the tree are one Uint32Array; every leaf owns a contiguous range of it, and a split
 * partitions its leaf's range in place (stably, so each range stays in increasing row order, which
 * keeps the histogram kernel's row reads cache-friendly). At each step the leaf with the largest
 * gain is split; the smaller child's histogram is built from its rows and the larger child's is the
 * parent's minus the smaller's (computed in the parent's buffer).
 */
import type { BinnedMatrix } from "./binning.js";
import { MISSING_BIN } from "./binning.js";
import { countOf, gradientOf, type FixedPointResiduals } from "./fixedpoint.js";
import {
  buildHistogram,
  buildHistogramAllRows,
  histogramLength,
  HistogramPool,
  rootFromLeaves,
  subtractHistogram,
} from "./histogram.js";
import { findBestSplit, SplitCandidate, type SplitRules } from "./split.js";
import { GbmTree } from "./tree.js";

/** Growth settings (a subset of GbmParams). */
export interface GrowSettings {
  maxLeaves: number;
  maxDepth: number;
  minCount: number;
  l2: number;
  minGainToSplit: number;
  learningRate: number;
}

/** Work counters, for the benchmark. */
export interface GrowStats {
  /** Rows run through the histogram kernel (each costs one pass over all features). */
  histogramRows: number;
  /** Root histograms derived from the previous tree's leaves. */
  derivedRoots: number;
  /** Root histograms built from rows. */
  builtRoots: number;
}

/** Grows trees over one binned training set; holds all per-fit workspace. */
export class TreeGrower {
  readonly stats: GrowStats = { histogramRows: 0, derivedRoots: 0, builtRoots: 0 };
  private readonly pool: HistogramPool;
  private readonly rows: Uint32Array;
  private readonly temp: Uint32Array;
  private readonly inBag: Uint8Array;
  private bagSize: number;
  private allRows = true;

  // Per leaf.
  private readonly leafBegin: Int32Array;
  private readonly leafEnd: Int32Array;
  private readonly leafDepth: Int32Array;
  private readonly leafTotal: Float64Array;
  private readonly leafParent: Int32Array;
  private readonly leafIsLeft: Uint8Array;
  private readonly leafHist: (Float64Array | null)[];
  private readonly best: SplitCandidate[];
  private readonly leafValueInt: Float64Array;

  // Per internal node of the tree being grown.
  private readonly nodeFeature: Int32Array;
  private readonly nodeCode: Int32Array;
  private readonly nodeThreshold: Float64Array;
  private readonly nodeMissingLeft: Uint8Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly nodeGain: Float64Array;

  /** Leaves of the previous tree, kept while their histograms can seed the next root. */
  private previousLeaves = 0;
  private previousUsable = false;

  constructor(
    private readonly data: BinnedMatrix,
    private readonly residuals: FixedPointResiduals,
    private readonly settings: GrowSettings,
  ) {
    const n = data.nRows;
    const L = settings.maxLeaves;
    this.pool = new HistogramPool(histogramLength(data.nFeatures));
    this.rows = new Uint32Array(n);
    this.temp = new Uint32Array(n);
    this.inBag = new Uint8Array(n).fill(1);
    this.bagSize = n;
    this.leafBegin = new Int32Array(L);
    this.leafEnd = new Int32Array(L);
    this.leafDepth = new Int32Array(L);
    this.leafTotal = new Float64Array(L);
    this.leafParent = new Int32Array(L);
    this.leafIsLeft = new Uint8Array(L);
    this.leafHist = new Array<Float64Array | null>(L).fill(null);
    this.best = Array.from({ length: L }, () => new SplitCandidate());
    this.leafValueInt = new Float64Array(L);
    this.nodeFeature = new Int32Array(L - 1);
    this.nodeCode = new Int32Array(L - 1);
    this.nodeThreshold = new Float64Array(L - 1);
    this.nodeMissingLeft = new Uint8Array(L - 1);
    this.nodeLeft = new Int32Array(L - 1);
    this.nodeRight = new Int32Array(L - 1);
    this.nodeGain = new Float64Array(L - 1);
  }

  /** Restricts the following trees to `bag` (increasing row indices), or to all rows when null. */
  setBag(bag: Uint32Array | null): void {
    this.invalidateRoot();
    if (bag === null) {
      this.allRows = true;
      this.bagSize = this.data.nRows;
      this.inBag.fill(1);
      return;
    }
    this.allRows = false;
    this.bagSize = bag.length;
    this.inBag.fill(0);
    for (let i = 0; i < bag.length; i++) this.inBag[bag[i]] = 1;
  }

  /** Forgets the previous tree's leaf histograms (after the residual grid was rescaled). */
  invalidateRoot(): void {
    this.previousUsable = false;
  }

  /**
   * Grows one tree on the current bag, splitting only on `features[0..nUsed)`, then adds its leaf
   * values to the residuals of every training row. Returns the tree (null when the root could
   * not be split: boosting is then finished, as in LightGBM).
   */
  grow(features: Int32Array, nUsed: number): GbmTree | null {
    const { data, residuals, settings } = this;
    const { nFeatures, nValueBins } = data;
    const countBase = residuals.countBase;
    const scale = residuals.scale;
    const rules: SplitRules = { minCount: settings.minCount, l2: settings.l2, minGain: settings.minGainToSplit * scale * scale };

    // Rows of the root, in increasing order.
    const rows = this.rows;
    if (this.allRows) for (let r = 0; r < data.nRows; r++) rows[r] = r;
    else for (let r = 0, i = 0; r < data.nRows; r++) if (this.inBag[r] === 1) rows[i++] = r;

    const root = this.pool.acquire();
    if (this.previousUsable) {
      rootFromLeaves(root, this.leafHist as Float64Array[], this.leafValueInt, this.previousLeaves, countBase, nFeatures, nValueBins);
      this.stats.derivedRoots++;
    } else {
      if (this.allRows) buildHistogramAllRows(data.rowMajor, nFeatures, data.nRows, residuals.packed, root);
      else buildHistogram(data.rowMajor, nFeatures, rows, 0, this.bagSize, residuals.packed, root);
      this.stats.builtRoots++;
      this.stats.histogramRows += this.bagSize;
    }
    this.releaseLeafHistograms();

    let total = 0;
    for (let k = 0; k <= nValueBins[0]; k++) total += root[k];
    this.leafBegin[0] = 0;
    this.leafEnd[0] = this.bagSize;
    this.leafDepth[0] = 0;
    this.leafTotal[0] = total;
    this.leafParent[0] = -1;
    this.leafHist[0] = root;
    this.evaluate(0, features, nUsed, rules);

    let nLeaves = 1;
    let nInternal = 0;
    while (nLeaves < settings.maxLeaves) {
      let leaf = -1;
      let bestGain = -Infinity;
      for (let l = 0; l < nLeaves; l++) {
        const b = this.best[l];
        if (b.feature >= 0 && b.gain > bestGain) {
          bestGain = b.gain;
          leaf = l;
        }
      }
      if (leaf < 0) break;
      this.split(leaf, nLeaves, nInternal, scale);
      const left = leaf;
      const right = nLeaves;
      nLeaves++;
      nInternal++;
      this.evaluate(left, features, nUsed, rules);
      this.evaluate(right, features, nUsed, rules);
    }
    this.previousLeaves = nLeaves;
    if (nInternal === 0) {
      this.previousUsable = false;
      return null;
    }

    // Leaf values on the residual grid, then the residual update (exact on that grid).
    const leafValue = new Float64Array(nLeaves);
    const inv = residuals.invCountBase;
    for (let l = 0; l < nLeaves; l++) {
      const t = this.leafTotal[l];
      const v = residuals.leafValueInt(gradientOf(t, inv), countOf(t, countBase, inv), settings.learningRate, settings.l2);
      this.leafValueInt[l] = v;
      leafValue[l] = v / scale;
      residuals.addToRows(rows, this.leafBegin[l], this.leafEnd[l], v);
    }
    if (!this.allRows) this.updateOutOfBag(nInternal);
    this.previousUsable = true;

    return new GbmTree(
      this.nodeFeature.slice(0, nInternal),
      this.nodeThreshold.slice(0, nInternal),
      this.nodeMissingLeft.slice(0, nInternal),
      this.nodeLeft.slice(0, nInternal),
      this.nodeRight.slice(0, nInternal),
      leafValue,
      this.nodeGain.slice(0, nInternal),
    );
  }

  private evaluate(leaf: number, features: Int32Array, nUsed: number, rules: SplitRules): void {
    const { maxDepth } = this.settings;
    const candidate = this.best[leaf];
    if (maxDepth >= 0 && this.leafDepth[leaf] >= maxDepth) {
      candidate.reset();
      return;
    }
    const hist = this.leafHist[leaf] as Float64Array;
    findBestSplit(hist, features, nUsed, this.data.nValueBins, this.leafTotal[leaf], this.residuals.countBase, rules, candidate);
  }

  /** Splits `leaf` into itself (left) and `right`, recording internal node `node`. */
  private split(leaf: number, right: number, node: number, scale: number): void {
    const { data, residuals } = this;
    const candidate = this.best[leaf];
    const f = candidate.feature;
    const code = candidate.code;
    const missingLeft = candidate.missingLeft;

    // Stable in-place partition of the leaf's rows.
    const rows = this.rows;
    const temp = this.temp;
    const begin = this.leafBegin[leaf];
    const end = this.leafEnd[leaf];
    const column = data.columnMajor.subarray(f * data.nRows, (f + 1) * data.nRows);
    let l = begin;
    let t = 0;
    for (let i = begin; i < end; i++) {
      const r = rows[i];
      const c = column[r];
      if (c === MISSING_BIN ? missingLeft : c <= code) rows[l++] = r;
      else temp[t++] = r;
    }
    rows.set(temp.subarray(0, t), l);
    const mid = l;

    // Record the internal node and hook it into the parent.
    this.nodeFeature[node] = f;
    this.nodeCode[node] = code;
    this.nodeThreshold[node] = data.thresholds[f][code - 1];
    this.nodeMissingLeft[node] = missingLeft ? 1 : 0;
    this.nodeLeft[node] = ~leaf;
    this.nodeRight[node] = ~right;
    this.nodeGain[node] = candidate.gain / (scale * scale);
    const parent = this.leafParent[leaf];
    if (parent >= 0) {
      if (this.leafIsLeft[leaf] === 1) this.nodeLeft[parent] = node;
      else this.nodeRight[parent] = node;
    }

    const total = this.leafTotal[leaf];
    const depth = this.leafDepth[leaf] + 1;
    this.leafBegin[right] = mid;
    this.leafEnd[right] = end;
    this.leafEnd[leaf] = mid;
    this.leafDepth[leaf] = depth;
    this.leafDepth[right] = depth;
    this.leafTotal[leaf] = candidate.leftPacked;
    this.leafTotal[right] = total - candidate.leftPacked;
    this.leafParent[leaf] = node;
    this.leafParent[right] = node;
    this.leafIsLeft[leaf] = 1;
    this.leafIsLeft[right] = 0;

    // Histograms: build the smaller child, derive the larger one in the parent's buffer.
    const parentHist = this.leafHist[leaf] as Float64Array;
    const small = this.pool.acquire();
    const leftIsSmaller = mid - begin <= end - mid;
    const sBegin = leftIsSmaller ? begin : mid;
    const sEnd = leftIsSmaller ? mid : end;
    buildHistogram(data.rowMajor, data.nFeatures, rows, sBegin, sEnd, residuals.packed, small);
    this.stats.histogramRows += sEnd - sBegin;
    subtractHistogram(parentHist, small, data.nFeatures, data.nValueBins);
    this.leafHist[leaf] = leftIsSmaller ? small : parentHist;
    this.leafHist[right] = leftIsSmaller ? parentHist : small;
  }

  /** Adds the new tree's leaf values to rows outside the bag, found by walking the binned tree. */
  private updateOutOfBag(nInternal: number): void {
    const { data, residuals } = this;
    const n = data.nRows;
    const codes = data.columnMajor;
    for (let r = 0; r < n; r++) {
      if (this.inBag[r] === 1) continue;
      let node = nInternal > 0 ? 0 : -1;
      while (node >= 0) {
        const c = codes[this.nodeFeature[node] * n + r];
        const goLeft = c === MISSING_BIN ? this.nodeMissingLeft[node] === 1 : c <= this.nodeCode[node];
        node = goLeft ? this.nodeLeft[node] : this.nodeRight[node];
      }
      residuals.addToRow(r, this.leafValueInt[~node]);
    }
  }

  private releaseLeafHistograms(): void {
    for (let l = 0; l < this.leafHist.length; l++) {
      const h = this.leafHist[l];
      if (h !== null) this.pool.release(h);
      this.leafHist[l] = null;
    }
  }
}
