/**
 * Squared-error residuals held as exact fixed-point integers, so that a histogram bin can pack
 * "sum of gradients" and "row count" (the hessian sum: it is 1 per row for squared error) into
 * one double, and every histogram sum and difference is exact.
 *
 * Representation: `residual[r] = round((prediction[r] - y[r]) * scale)` (an integer, the gradient
 * in units of 1/scale), and `packed[r] = residual[r] * countBase + 1`, where `countBase` is a power
 * of two larger than the row count. A sum of packed values over any set of rows is
 * `G * countBase + count` with `0 <= count < countBase`, decoded by {@link gradientOf} /
 * {@link countOf}. All values stay below 2^53 (see `limit`), so additions and subtractions of
 * packed sums are exact integers: histogram subtraction loses nothing, and the root histogram of
 * the next tree can be derived from the leaves of the previous one (leaf values are kept on the
 * same 1/scale grid, so `residual += leafValueInt` stays exact).
 *
 * Resolution: `scale` is a power of two chosen so the largest initial |residual| uses a quarter of
 * the allowed range, about 2^20 steps for 40,000 rows: gradients and leaf values are exact to
 * ~1e-6 of the target's spread, far below anything a forecast can resolve. This is LightGBM's
 * quantized-gradient idea (`use_quantized_grad`) with far more bits than its 2-8 and no
 * stochastic rounding.
 */

/** Largest |G * countBase + count| any packed sum may reach (with one bit of headroom below 2^53). */
const PACK_RANGE = 2 ** 52;

/** Integer gradient sum of a packed sum. */
export function gradientOf(packed: number, invCountBase: number): number {
  return Math.floor(packed * invCountBase);
}

/** Row count of a packed sum. */
export function countOf(packed: number, countBase: number, invCountBase: number): number {
  return packed - Math.floor(packed * invCountBase) * countBase;
}

/** Fixed-point residuals of one training run (see the module comment). */
export class FixedPointResiduals {
  /** Rows. */
  readonly n: number;
  /** Power of two > n: the count part of a packed sum lives below it. */
  readonly countBase: number;
  /** 1 / countBase (exact: a power of two). */
  readonly invCountBase: number;
  /** Largest |residual| for which every packed sum stays exact. */
  readonly limit: number;
  /** Residual units per target unit (a power of two). */
  scale: number;
  /** `round((prediction - y) * scale)`, integers. */
  readonly residual: Float64Array;
  /** `residual * countBase + 1`. */
  readonly packed: Float64Array;
  /** An upper bound of max |residual|, so the exact maximum is only scanned for when it could exceed `limit`. */
  private maxBound = 0;
  /** Largest |value| added since the bound was last updated. */
  private pendingDelta = 0;

  /** Residuals of the constant prediction `init`; `packed` may be preallocated (length n) where the histogram kernel can read it. */
  constructor(y: Float64Array, init: number, packed: Float64Array = new Float64Array(y.length)) {
    const n = y.length;
    this.n = n;
    let bits = 1;
    while (2 ** bits <= n) bits++;
    this.countBase = 2 ** bits;
    this.invCountBase = 1 / this.countBase;
    this.limit = Math.floor(PACK_RANGE / (this.countBase * Math.max(1, n)));
    let spread = 0;
    for (let r = 0; r < n; r++) spread = Math.max(spread, Math.abs(init - y[r]));
    this.scale = spread > 0 ? 2 ** Math.max(-1000, Math.min(1000, Math.floor(Math.log2(this.limit / 4 / spread)))) : 1;
    this.residual = new Float64Array(n);
    this.packed = packed;
    for (let r = 0; r < n; r++) this.residual[r] = Math.round((init - y[r]) * this.scale);
    this.repack();
    this.maxBound = this.maxAbsResidual();
  }

  /** Leaf value in residual units for a leaf with integer gradient sum `g` over `count` rows (Newton step, L2, shrinkage). */
  leafValueInt(g: number, count: number, learningRate: number, l2: number): number {
    const v = Math.round((-learningRate * g) / (count + l2));
    return v === 0 ? 0 : v; // no -0
  }

  /** Adds `valueInt` to the residuals of `rows[begin..end)`. */
  addToRows(rows: Uint32Array, begin: number, end: number, valueInt: number): void {
    const { residual, packed, countBase } = this;
    const delta = valueInt * countBase;
    this.pendingDelta = Math.max(this.pendingDelta, Math.abs(valueInt));
    for (let i = begin; i < end; i++) {
      const r = rows[i];
      residual[r] += valueInt;
      packed[r] += delta;
    }
  }

  /** Adds `valueInt` to the residual of one row. */
  addToRow(r: number, valueInt: number): void {
    this.pendingDelta = Math.max(this.pendingDelta, Math.abs(valueInt));
    this.residual[r] += valueInt;
    this.packed[r] += valueInt * this.countBase;
  }

  /** Training mean squared error in target units. */
  meanSquaredError(): number {
    const { residual, n } = this;
    let sum = 0;
    for (let r = 0; r < n; r++) sum += residual[r] * residual[r];
    return n === 0 ? 0 : sum / (this.scale * this.scale) / n;
  }

  /**
   * Coarsens the grid if some residual outgrew `limit` (boosting rarely pushes residuals beyond
   * their initial spread, but it is not impossible). Returns true when it did: packed sums from
   * before (histograms) are then invalid and must be rebuilt from rows.
   */
  rescaleIfNeeded(): boolean {
    const { residual, n, limit } = this;
    // Each tree moves a row by at most the largest |leaf value| it added.
    this.maxBound += this.pendingDelta;
    this.pendingDelta = 0;
    if (this.maxBound <= limit) return false;
    const max = this.maxAbsResidual();
    this.maxBound = max;
    if (max <= limit) return false;
    let factor = 1;
    while (max / factor > limit / 4) factor *= 2;
    this.scale /= factor;
    for (let r = 0; r < n; r++) residual[r] = Math.round(residual[r] / factor);
    this.repack();
    this.maxBound = this.maxAbsResidual();
    return true;
  }

  private maxAbsResidual(): number {
    let max = 0;
    for (let r = 0; r < this.n; r++) max = Math.max(max, Math.abs(this.residual[r]));
    return max;
  }

  private repack(): void {
    const { residual, packed, countBase } = this;
    for (let r = 0; r < this.n; r++) packed[r] = residual[r] * countBase + 1;
  }
}
