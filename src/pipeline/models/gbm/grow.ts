/**
 * Leaf-wise (best-first) growth of one tree, LightGBM style, and the residual update after it.
 *
 * The rows of the tree are one Uint32Array; every leaf owns a contiguous range of it, and a split
 * partitions its leaf's range in place (stably, so each range stays in increasing row order, which
 * keeps the histogram kernel's row reads cache-friendly). At each step the leaf with the largest
 * gain is split; the smaller child's histogram is built from its rows and the larger child's is the
 * parent's minus the smaller's (computed in the parent's buffer).
 *
 * Two savings on top of LightGBM's scheme, neither of which changes the trees:
 * - the root histogram of a tree is derived from the leaf histograms of the previous tree when
 *   the rows are the same (no new bag): see `rootFromLeavesJs` in histogram.ts;
 * - leaves are scanned for their best split lazily, only when an upper bound of their gain says
 *   they could be the next leaf to split (see `setBound`); ~30% of the scans are skipped.
 */
import type { Arena } from "./arena.js";
import type { BinnedMatrix } from "./binning.js";
import { MISSING_BIN } from "./binning.js";
import { countOf, gradientOf, type FixedPointResiduals } from "./fixedpoint.js";
import { histogramLength, HistogramPool } from "./histogram.js";
import { createKernels, type Kernels } from "./kernels.js";
import { SplitCandidate, type SplitRules } from "./split.js";
import { GbmTree } from "./tree.js";

/** Growth settings (a subset of GbmParams). */
export interface GrowSettings {
  maxLeaves: number;
  maxDepth: number;
  minCount: number;
  l2: number;
  minGainToSplit: number;
  learningRate: number;
  /** Measure time per phase into `stats.timings` (for the benchmark; off by default). */
  collectTimings?: boolean;
  /** Scan every new leaf at once instead of lazily (same trees, more work; for tests). */
  eagerScans?: boolean;
}

/** Work counters, for the benchmark and tests. */
export interface GrowStats {
  /** Which kernels ran (kernels.ts). */
  kernel: "wasm" | "js";
  /** Rows run through the histogram kernel (each costs one pass over all features). */
  histogramRows: number;
  /** Root histograms derived from the previous tree's leaves. */
  derivedRoots: number;
  /** Root histograms built from rows. */
  builtRoots: number;
  /** Rows moved by partitioning at splits. */
  partitionRows: number;
  /** Splits made. */
  splits: number;
  /** Leaf histograms scanned for a split. */
  evaluations: number;
  /** Milliseconds per phase, when `collectTimings` is on. */
  timings: { root: number; histogram: number; subtract: number; evaluate: number; partition: number; update: number };
}

/** Number of histogram buffers a grower needs (all leaves of a tree plus the next root). */
export function histogramBuffers(maxLeaves: number): number {
  return maxLeaves + 1;
}

/** Grows trees over one binned training set; holds all per-fit workspace. */
export class TreeGrower {
  readonly stats: GrowStats;
  private readonly pool: HistogramPool;
  private readonly ops: Kernels;
  private readonly rows: Uint32Array;
  private readonly inBag: Uint8Array;
  private bagSize: number;
  private allRows = true;
  private readonly clock: () => number;

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
  private readonly leafSumSq: Float64Array;
  private readonly leafBound: Float64Array;
  private readonly leafEvaluated: Uint8Array;
  private boundSlack = 0;

  // Per internal node of the tree being grown.
  private readonly nodeFeature: Int32Array;
  private readonly nodeCode: Int32Array;
  private readonly nodeThreshold: Float64Array;
  private readonly nodeMissingLeft: Uint8Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly nodeGain: Float64Array;

  /** Leaves of the previous tree, whose histograms can seed the next root while `previousUsable`. */
  private previousLeaves = 0;
  private previousUsable = false;

  /**
   * `arena` (optional) must hold `data.rowMajor` and `residuals.packed`; the grower then takes its
   * row index array, {@link histogramBuffers} histograms and the kernels' buffers from it, and uses
   * the WebAssembly kernels (kernels.ts).
   */
  constructor(
    private readonly data: BinnedMatrix,
    private readonly residuals: FixedPointResiduals,
    private readonly settings: GrowSettings,
    arena: Arena | null = null,
  ) {
    const n = data.nRows;
    const L = settings.maxLeaves;
    this.pool = new HistogramPool(histogramBuffers(L), histogramLength(data), arena);
    this.rows = arena === null ? new Uint32Array(n) : arena.u32(n);
    this.ops = createKernels(data, residuals.packed, residuals.countBase, arena);
    this.stats = {
      kernel: this.ops.kind,
      histogramRows: 0,
      derivedRoots: 0,
      builtRoots: 0,
      partitionRows: 0,
      splits: 0,
      evaluations: 0,
      timings: { root: 0, histogram: 0, subtract: 0, evaluate: 0, partition: 0, update: 0 },
    };
    this.clock = settings.collectTimings === true ? () => performance.now() : () => 0;
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
    this.leafSumSq = new Float64Array(L);
    this.leafBound = new Float64Array(L);
    this.leafEvaluated = new Uint8Array(L);
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
   * values to the residuals of every training row. Returns the tree, or null when the root could
   * not be split (boosting is then finished, as in LightGBM).
   */
  grow(features: Int32Array, nUsed: number): GbmTree | null {
    const { data, residuals, settings, stats, clock } = this;
    const timings = stats.timings;
    const countBase = residuals.countBase;
    const scale = residuals.scale;
    const rules: SplitRules = { minCount: settings.minCount, l2: settings.l2, minGain: settings.minGainToSplit * scale * scale };
    let t0 = clock();

    // Rows of the root, in increasing order.
    const rows = this.rows;
    if (this.allRows) for (let r = 0; r < data.nRows; r++) rows[r] = r;
    else for (let r = 0, i = 0; r < data.nRows; r++) if (this.inBag[r] === 1) rows[i++] = r;

    const root = this.pool.acquire();
    if (this.previousUsable) {
      this.ops.rootFromLeaves(root, this.leafHist as Float64Array[], this.leafValueInt, this.previousLeaves, countBase);
      stats.derivedRoots++;
    } else {
      this.ops.build(rows, 0, this.bagSize, root);
      stats.builtRoots++;
      stats.histogramRows += this.bagSize;
    }
    this.releaseLeafHistograms();

    let total = 0;
    for (let k = 0; k <= data.nValueBins[0]; k++) total += root[k];
    this.leafBegin[0] = 0;
    this.leafEnd[0] = this.bagSize;
    this.leafDepth[0] = 0;
    this.leafTotal[0] = total;
    this.leafParent[0] = -1;
    this.leafHist[0] = root;
    const residual = residuals.residual;
    let sumSq = 0;
    for (let i = 0; i < this.bagSize; i++) sumSq += residual[rows[i]] * residual[rows[i]];
    this.leafSumSq[0] = sumSq;
    // Float error in the sums of squares stays far below this (see setBound).
    this.boundSlack = 1e-9 * sumSq;
    this.setBound(0, rules);
    timings.root += clock() - t0;

    // Best-first growth with lazy evaluation: a leaf's histogram is scanned only when its gain
    // bound could beat every gain already known, i.e. when it could be the next leaf to split.
    // The leaves chosen are exactly those of eager evaluation (same order, same tie-breaking).
    let nLeaves = 1;
    let nInternal = 0;
    while (nLeaves < settings.maxLeaves) {
      let leaf = -1;
      let bestKey = -Infinity;
      for (let l = 0; l < nLeaves; l++) {
        const key = this.leafEvaluated[l] === 1 ? this.best[l].gain : this.leafBound[l];
        if (key > bestKey) {
          bestKey = key;
          leaf = l;
        }
      }
      if (leaf < 0) break;
      if (this.leafEvaluated[leaf] === 0) {
        t0 = clock();
        this.evaluate(leaf, features, nUsed, rules);
        timings.evaluate += clock() - t0;
        continue;
      }
      this.split(leaf, nLeaves, nInternal, scale);
      nLeaves++;
      nInternal++;
      this.setBound(leaf, rules);
      this.setBound(nLeaves - 1, rules);
    }
    this.previousLeaves = nLeaves;
    if (nInternal === 0) {
      this.previousUsable = false;
      return null;
    }

    // Leaf values on the residual grid, then the residual update (exact on that grid).
    t0 = clock();
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
    timings.update += clock() - t0;

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
    const hist = this.leafHist[leaf] as Float64Array;
    this.ops.findBestSplit(hist, features, nUsed, this.leafTotal[leaf], rules, this.best[leaf]);
    this.leafEvaluated[leaf] = 1;
    this.stats.evaluations++;
  }

  /**
   * Marks `leaf` as not evaluated yet, with an upper bound of its best gain: no split can gain
   * more than splitting the leaf into single rows, `sum(g²) - G²/(H+λ)` (each group's
   * `(Σg)²/(n+λ) <= Σg²` by Cauchy-Schwarz). -Infinity when the leaf may not split at all.
   */
  private setBound(leaf: number, rules: SplitRules): void {
    this.leafEvaluated[leaf] = 0;
    this.best[leaf].reset();
    const { maxDepth } = this.settings;
    const total = this.leafTotal[leaf];
    const { countBase, invCountBase } = this.residuals;
    const H = countOf(total, countBase, invCountBase);
    if ((maxDepth >= 0 && this.leafDepth[leaf] >= maxDepth) || H < 2 * rules.minCount) {
      this.leafBound[leaf] = -Infinity;
      return;
    }
    const G = gradientOf(total, invCountBase);
    this.leafBound[leaf] = this.settings.eagerScans === true ? Infinity : this.leafSumSq[leaf] + this.boundSlack - (G * G) / (H + rules.l2);
  }

  /** Splits `leaf` into itself (left) and `right`, recording internal node `node`. */
  private split(leaf: number, right: number, node: number, scale: number): void {
    const { data, stats, clock } = this;
    const timings = stats.timings;
    const candidate = this.best[leaf];
    const f = candidate.feature;
    const code = candidate.code;
    const missingLeft = candidate.missingLeft;
    let t0 = clock();

    const rows = this.rows;
    const begin = this.leafBegin[leaf];
    const end = this.leafEnd[leaf];
    const mid = begin + this.ops.partition(rows, begin, end, f, code, missingLeft);
    stats.partitionRows += end - begin;
    stats.splits++;

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
    let t1 = clock();
    timings.partition += t1 - t0;

    // Histograms: build the smaller child, derive the larger one in the parent's buffer.
    const parentHist = this.leafHist[leaf] as Float64Array;
    const small = this.pool.acquire();
    const leftIsSmaller = mid - begin <= end - mid;
    const sBegin = leftIsSmaller ? begin : mid;
    const sEnd = leftIsSmaller ? mid : end;
    this.ops.build(rows, sBegin, sEnd, small);
    stats.histogramRows += sEnd - sBegin;
    const residual = this.residuals.residual;
    let smallSumSq = 0;
    for (let i = sBegin; i < sEnd; i++) smallSumSq += residual[rows[i]] * residual[rows[i]];
    const parentSumSq = this.leafSumSq[leaf];
    this.leafSumSq[leaf] = leftIsSmaller ? smallSumSq : parentSumSq - smallSumSq;
    this.leafSumSq[right] = leftIsSmaller ? parentSumSq - smallSumSq : smallSumSq;
    t0 = clock();
    timings.histogram += t0 - t1;
    this.ops.subtract(parentHist, small);
    this.leafHist[leaf] = leftIsSmaller ? small : parentHist;
    this.leafHist[right] = leftIsSmaller ? parentHist : small;
    t1 = clock();
    timings.subtract += t1 - t0;
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
