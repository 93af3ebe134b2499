/**
 * Argsort of a feature column (non-missing rows by value) in about linear time, for binning.
 *
 * A stable LSD radix sort on the high 32 bits of each double's order-preserving key (sign,
 * exponent and 20 mantissa bits), then an insertion sort by exact value inside each run of equal
 * high words (rare and short on real data; long runs fall back to a comparison sort). On
 * 40,000 x 90 this beat the engine's sort plus a binary search per value by ~4x (bench/gbm.ts).
 */
import type { FeatureColumn } from "./matrix.js";

/** Index of the high 32-bit word of a double in a Uint32Array view (1 on little-endian machines). */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** Digits of the 32-bit key: 11 + 11 + 10 bits. */
const SHIFTS = [0, 11, 22];
const BUCKETS = 2048;
const MASK = BUCKETS - 1;
/** Longer runs of equal high words are sorted with Array.prototype.sort instead of insertion. */
const INSERTION_LIMIT = 32;

/** Reusable buffers for {@link argsortColumn}, sized for `n` rows. */
export class RadixScratch {
  readonly key: Uint32Array;
  readonly key2: Uint32Array;
  readonly order2: Uint32Array;
  readonly counts = new Uint32Array(BUCKETS);
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  constructor(n: number) {
    this.key = new Uint32Array(n);
    this.key2 = new Uint32Array(n);
    this.order2 = new Uint32Array(n);
  }

  /** The high word of the order-preserving key of `v` (IEEE bits, sign-flipped). */
  highKey(v: number): number {
    this.f64[0] = v + 0; // -0 + 0 is +0: equal values must get equal keys
    const hi = this.u32[HIGH_WORD];
    return hi >>> 31 === 1 ? ~hi >>> 0 : (hi | 0x80000000) >>> 0;
  }
}

/**
 * Fills `order` with the rows `0..rows-1` of `column` whose value is not NaN, sorted by value
 * (equal values in row order), and returns how many there are.
 */
export function argsortColumn(column: FeatureColumn, rows: number, order: Uint32Array, s: RadixScratch): number {
  let m = 0;
  for (let r = 0; r < rows; r++) {
    const v = column[r];
    if (v !== v) continue;
    order[m] = r;
    s.key[m] = s.highKey(v);
    m++;
  }
  let srcOrder = order;
  let srcKey = s.key;
  let dstOrder = s.order2;
  let dstKey = s.key2;
  const counts = s.counts;
  for (const shift of SHIFTS) {
    counts.fill(0);
    for (let i = 0; i < m; i++) counts[(srcKey[i] >>> shift) & MASK]++;
    // A digit shared by every key (the exponent bits, often) needs no pass.
    if (m === 0 || counts[(srcKey[0] >>> shift) & MASK] === m) continue;
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const k = srcKey[i];
      const d = counts[(k >>> shift) & MASK]++;
      dstOrder[d] = srcOrder[i];
      dstKey[d] = k;
    }
    [srcOrder, dstOrder] = [dstOrder, srcOrder];
    [srcKey, dstKey] = [dstKey, srcKey];
  }
  if (srcOrder !== order) order.set(srcOrder.subarray(0, m));

  // Order runs of equal high words by the exact value (stable: ties keep row order).
  for (let i = 0; i < m;) {
    let j = i + 1;
    while (j < m && srcKey[j] === srcKey[i]) j++;
    if (j - i > 1) sortRun(column, order, i, j);
    i = j;
  }
  return m;
}

function sortRun(column: FeatureColumn, order: Uint32Array, begin: number, end: number): void {
  if (end - begin > INSERTION_LIMIT) {
    const run = Array.from(order.subarray(begin, end));
    run.sort((a, b) => column[a] - column[b] || a - b);
    order.set(run, begin);
    return;
  }
  for (let i = begin + 1; i < end; i++) {
    const r = order[i];
    const v = column[r];
    let j = i - 1;
    while (j >= begin && column[order[j]] > v) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = r;
  }
}
