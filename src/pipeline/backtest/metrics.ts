/**
 * Forecast error metrics as fractions (0.071, not 7.1 %). A point counts in the percentage
 * errors when its actual is finite and non-zero (they are undefined at zero) and its forecast is
 * finite; in the coverages when its actual and forecast are finite and it has an interval.
 */

/** Errors over a set of points. */
export interface ErrorSummary {
  /** Mean absolute percentage error: mean of |y - ŷ| / |y|. */
  mape: number;
  /** Root mean squared percentage error: sqrt(mean(((y - ŷ) / y)²)). */
  rmspe: number;
  /** Share of points inside their 80 % interval, bounds included (NaN when no point had one). */
  coverage80: number;
  /** Share of points inside their 95 % interval. */
  coverage95: number;
  /** Points in the percentage errors. */
  n: number;
  /** Points with a usable actual but no finite forecast (not in the errors above). */
  missing: number;
}

/** Accumulates points and yields an {@link ErrorSummary}. */
export class ErrorAccumulator {
  private absPct = 0;
  private sqPct = 0;
  private n = 0;
  private missing = 0;
  private in80 = 0;
  private with80 = 0;
  private in95 = 0;
  private with95 = 0;

  /** Adds one point: actual, forecast and its interval bounds (NaN bounds = no interval). */
  add(y: number, yhat: number, lo80 = NaN, hi80 = NaN, lo95 = NaN, hi95 = NaN): void {
    if (!Number.isFinite(y)) return;
    if (!Number.isFinite(yhat)) {
      if (y !== 0) this.missing++;
      return;
    }
    if (!Number.isNaN(lo80) && !Number.isNaN(hi80)) {
      this.with80++;
      if (y >= lo80 && y <= hi80) this.in80++;
    }
    if (!Number.isNaN(lo95) && !Number.isNaN(hi95)) {
      this.with95++;
      if (y >= lo95 && y <= hi95) this.in95++;
    }
    if (y === 0) return;
    const pct = (y - yhat) / y;
    this.absPct += Math.abs(pct);
    this.sqPct += pct * pct;
    this.n++;
  }

  summary(): ErrorSummary {
    return {
      mape: this.n > 0 ? this.absPct / this.n : NaN,
      rmspe: this.n > 0 ? Math.sqrt(this.sqPct / this.n) : NaN,
      coverage80: this.with80 > 0 ? this.in80 / this.with80 : NaN,
      coverage95: this.with95 > 0 ? this.in95 / this.with95 : NaN,
      n: this.n,
      missing: this.missing,
    };
  }
}

/**
 * Per-series MAPE, summarised: the pooled MAPE weighs series by their number of points and lets a
 * few long or easy series hide many bad ones, so the mean and median over series are reported
 * beside it. Series without a defined MAPE (no scorable point) are left out.
 */
export interface SeriesMapeStats {
  /** Mean of the per-series MAPEs (NaN when no series has one). */
  mean: number;
  /** Median of the per-series MAPEs (mean of the two middle ones for an even count). */
  median: number;
  /** Series with a defined MAPE. */
  series: number;
}

/** {@link SeriesMapeStats} of per-series MAPEs. */
export function seriesMapeStats(mapes: ArrayLike<number>): SeriesMapeStats {
  const xs = Array.from(mapes).filter(Number.isFinite);
  return { mean: xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN, median: median(xs), series: xs.length };
}

/** Median of numbers without NaN (NaN for none); the input is not modified. */
export function median(values: ArrayLike<number>): number {
  const xs = Array.from(values).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? xs[(n - 1) / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

/** MAPE of paired arrays (see {@link ErrorAccumulator} for which points count). */
export function mape(y: ArrayLike<number>, yhat: ArrayLike<number>): number {
  const acc = new ErrorAccumulator();
  for (let i = 0; i < y.length; i++) acc.add(y[i], yhat[i]);
  return acc.summary().mape;
}

/** RMSPE of paired arrays. */
export function rmspe(y: ArrayLike<number>, yhat: ArrayLike<number>): number {
  const acc = new ErrorAccumulator();
  for (let i = 0; i < y.length; i++) acc.add(y[i], yhat[i]);
  return acc.summary().rmspe;
}

/** Share of finite actuals inside `[lo, hi]` (bounds included; points with a NaN bound are left out). */
export function coverage(y: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): number {
  let inside = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]) || Number.isNaN(lo[i]) || Number.isNaN(hi[i])) continue;
    n++;
    if (y[i] >= lo[i] && y[i] <= hi[i]) inside++;
  }
  return n > 0 ? inside / n : NaN;
}
