/**
 * Small seeded pseudo-random generator (mulberry32) for bagging, feature sampling and the
 * binning sample. It is not cryptographic; it is fast, has a 2^32 period, and gives the same
 * sequence for the same seed on every platform, which is what reproducible training needs.
 */

/** Deterministic generator of 32-bit integers and floats in [0, 1). */
export class Rng {
  private state: number;

  /** `seed` is reduced to 32 bits; any finite number is accepted. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32. */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}

/**
 * Derives an independent 32-bit seed for one purpose (bagging, features...) from the user's seed,
 * so that changing one sampling option does not shift the random stream of another.
 */
export function deriveSeed(seed: number, stream: number): number {
  // splitmix32-style finaliser over (seed, stream).
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Draws exactly `k` distinct indices out of `0..n-1`, in increasing order (Knuth's selection
 * sampling, one pass, no sort). Increasing order keeps later gathers cache-friendly.
 */
export function sampleSortedIndices(n: number, k: number, rng: Rng, out: Uint32Array = new Uint32Array(k)): Uint32Array {
  let chosen = 0;
  for (let i = 0; i < n && chosen < k; i++) {
    if (rng.nextFloat() * (n - i) < k - chosen) out[chosen++] = i;
  }
  return out;
}
