/**
 * The compute kernels of tree growth (histogram build, subtraction, root derivation, split scan),
 * as WebAssembly compiled for the training set's strides when possible, else as JavaScript.
 *
 * WebAssembly matters here: on 40,000 x 90 it makes the histogram build ~2.5x and the split scan
 * ~2x faster than the JavaScript versions (bench/gbm.ts). It needs every array it touches inside
 * one WebAssembly memory (arena.ts). The JavaScript versions stay as the fallback (e.g.
 * `node --jitless`) and as the reference the tests compare the WebAssembly ones with; both give
 * identical results.
 */
import { Arena, wasmApi } from "./arena.js";
import type { BinnedMatrix } from "./binning.js";
import { countOf, gradientOf } from "./fixedpoint.js";
import { addLeafFunction, buildFunction, buildHistogramJs, rootFromLeavesJs, subtractFunction, subtractHistogramJs } from "./histogram.js";
import { finishSplit, SCAN_RESULT_BYTES, scanFunction, scanSplitsJs, type ScanResult, type SplitCandidate, type SplitRules } from "./split.js";
import { fillSideTable, partitionFunction, partitionJs } from "./partition.js";
import { assembleModule } from "./wasm.js";

/** The kernels of one training run. */
export interface Kernels {
  readonly kind: "wasm" | "js";
  /** Builds the histogram of `rows[begin..end)` into `hist` (overwritten). */
  build(rows: Uint32Array, begin: number, end: number, hist: Float64Array): void;
  /** `parent -= child`: the parent's histogram becomes the sibling's. */
  subtract(parent: Float64Array, child: Float64Array): void;
  /** The next root's histogram from the previous tree's leaves (see `rootFromLeavesJs`). */
  rootFromLeaves(out: Float64Array, leafHists: readonly Float64Array[], valueInt: Float64Array, nLeaves: number, countBase: number): void;
  /** Best split over `features[0..nUsed)` of a leaf with packed sum `total` into `out`. */
  findBestSplit(hist: Float64Array, features: Int32Array, nUsed: number, total: number, rules: SplitRules, out: SplitCandidate): void;
  /**
   * Stable in-place partition of `rows[begin..end)` for a split on `feature` (codes 1..code, and
   * missing when `missingLeft`, go left); returns the number of rows that went left.
   */
  partition(rows: Uint32Array, begin: number, end: number, feature: number, code: number, missingLeft: boolean): number;
}

/** Arena bytes the WebAssembly kernels need besides codes, gradients, rows and histograms. */
export function kernelArenaBytes(nRows: number, nFeatures: number): number {
  return 2 * Arena.bytesFor(4 * nFeatures) + Arena.bytesFor(SCAN_RESULT_BYTES) + 2 * Arena.bytesFor(4 * nRows) + Arena.bytesFor(256);
}

/**
 * The fastest available kernels for `data` and `packed`. WebAssembly needs both code arrays of
 * `data`, `packed` and every array later passed to the kernels to live in `arena` (checked on
 * every call: WebAssembly sees only addresses), and {@link kernelArenaBytes} free in it.
 */
export function createKernels(data: BinnedMatrix, packed: Float64Array, countBase: number, arena: Arena | null): Kernels {
  const api = wasmApi();
  const inArena = (a: { buffer: ArrayBufferLike }): boolean => arena !== null && a.buffer === arena.buffer;
  if (arena === null || arena.memory === null || api === null || !inArena(data.rowMajor) || !inArena(data.columnMajor) || !inArena(packed)) {
    return jsKernels(data, packed, countBase);
  }
  const functions = [buildFunction(data.rowStride, data.histStride), subtractFunction(), addLeafFunction(), scanFunction(data.histStride), partitionFunction()];
  const exports = new api.Instance(new api.Module(assembleModule(functions, arena.buffer.byteLength / 65536)), { env: { memory: arena.memory } }).exports;
  const build = exports.build as (rowsPtr: number, count: number, codesPtr: number, packedPtr: number, histPtr: number) => void;
  const sub = exports.sub as (parentPtr: number, childPtr: number, count: number) => void;
  const addLeaf = exports.addLeaf as (outPtr: number, histPtr: number, count: number, delta: number, countBase: number, invCountBase: number) => void;
  const scan = exports.scan as (
    histPtr: number,
    featuresPtr: number,
    nUsed: number,
    nValueBinsPtr: number,
    G: number,
    H: number,
    minCount: number,
    l2: number,
    countBase: number,
    invCountBase: number,
    outPtr: number,
  ) => void;
  const codesPtr = data.rowMajor.byteOffset;
  const packedPtr = packed.byteOffset;
  const invCountBase = 1 / countBase;
  // Slots of the real features; padding features' slots are never read.
  const used = data.nFeatures * data.histStride;
  const features = arena.u32(data.nFeatures);
  const nValueBins = arena.u32(data.nFeatures);
  nValueBins.set(data.nValueBins);
  const resultBytes = arena.u8(SCAN_RESULT_BYTES);
  const resultF64 = new Float64Array(arena.buffer, resultBytes.byteOffset, 2);
  const resultI32 = new Int32Array(arena.buffer, resultBytes.byteOffset + 16, 3);
  const result: ScanResult = { score: -Infinity, feature: -1, code: 0, missingLeft: 0, left: 0 };
  const partition = exports.partition as (rowsPtr: number, count: number, codesPtr: number, tablePtr: number, leftPtr: number, rightPtr: number) => number;
  const table = arena.u8(256);
  const left = arena.u32(data.nRows);
  const right = arena.u32(data.nRows);
  const n = data.nRows;
  const columnsPtr = data.columnMajor.byteOffset;
  const buffer = arena.buffer; // a const: closures keep no narrowing of `arena` under TypeScript 5.0
  const own = (a: { buffer: ArrayBufferLike; byteOffset: number }): number => {
    if (a.buffer !== buffer) throw new Error("gbm kernels: an array outside the WebAssembly arena was passed to a WebAssembly kernel");
    return a.byteOffset;
  };
  return {
    kind: "wasm",
    build(rows, begin, end, hist) {
      hist.fill(0);
      build(own(rows) + 4 * begin, end - begin, codesPtr, packedPtr, own(hist));
    },
    subtract(parent, child) {
      sub(own(parent), own(child), used);
    },
    rootFromLeaves(out, leafHists, valueInt, nLeaves, cb) {
      out.fill(0);
      for (let leaf = 0; leaf < nLeaves; leaf++) addLeaf(own(out), own(leafHists[leaf]), used, valueInt[leaf] * cb, cb, 1 / cb);
    },
    findBestSplit(hist, feats, nUsed, total, rules, out) {
      const G = gradientOf(total, invCountBase);
      const H = countOf(total, countBase, invCountBase);
      out.reset();
      if (H < 2 * rules.minCount) return;
      features.set(feats.subarray(0, nUsed));
      scan(own(hist), features.byteOffset, nUsed, nValueBins.byteOffset, G, H, rules.minCount, rules.l2, countBase, invCountBase, resultBytes.byteOffset);
      result.score = resultF64[0];
      result.left = resultF64[1];
      result.feature = resultI32[0];
      result.code = resultI32[1];
      result.missingLeft = resultI32[2];
      finishSplit(result, G, H, rules, out);
    },
    partition(rows, begin, end, feature, code, missingLeft) {
      fillSideTable(table, code, missingLeft);
      const l = partition(own(rows) + 4 * begin, end - begin, columnsPtr + feature * n, table.byteOffset, left.byteOffset, right.byteOffset);
      rows.set(left.subarray(0, l), begin);
      rows.set(right.subarray(0, end - begin - l), begin + l);
      return l;
    },
  };
}

function jsKernels(data: BinnedMatrix, packed: Float64Array, countBase: number): Kernels {
  const invCountBase = 1 / countBase;
  const result: ScanResult = { score: -Infinity, feature: -1, code: 0, missingLeft: 0, left: 0 };
  const table = new Uint8Array(256);
  const left = new Uint32Array(data.nRows);
  const right = new Uint32Array(data.nRows);
  return {
    kind: "js",
    build: (rows, begin, end, hist) => buildHistogramJs(data, rows, begin, end, packed, hist),
    subtract: (parent, child) => subtractHistogramJs(parent, child, data),
    rootFromLeaves: (out, leafHists, valueInt, nLeaves, cb) => rootFromLeavesJs(out, leafHists, valueInt, nLeaves, cb, data),
    findBestSplit(hist, features, nUsed, total, rules, out) {
      const G = gradientOf(total, invCountBase);
      const H = countOf(total, countBase, invCountBase);
      out.reset();
      if (H < 2 * rules.minCount) return;
      scanSplitsJs(hist, features, nUsed, data, G, H, rules.minCount, rules.l2, countBase, result);
      finishSplit(result, G, H, rules, out);
    },
    partition(rows, begin, end, feature, code, missingLeft) {
      fillSideTable(table, code, missingLeft);
      return partitionJs(rows, begin, end, data.columnMajor, feature * data.nRows, table, left, right);
    },
  };
}
