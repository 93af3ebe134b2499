/**
 * Monitoring's additive error sums: every table is pooled from these, so sums of days add up to
 * the sums of their union (what makes scoring day by day equal to scoring at once).
 */

/** n, ape sum/valid, spe sum/valid, in_80 sum/valid, in_95 sum/valid. */
export type Sums = [number, number, number, number, number, number, number, number, number];

/** Sums of nothing. */
export const zero = (): Sums => [0, 0, 0, 0, 0, 0, 0, 0, 0];

/** Adds `from` into `into`. */
export function add(into: Sums, from: Sums): void {
  for (let i = 0; i < 9; i++) into[i] += from[i];
}

/** The summary columns of the monitoring tables (fractions; null where nothing was valid). */
export function summary(s: Sums): { n: number; mape: number | null; rmspe: number | null; coverage_80: number | null; coverage_95: number | null } {
  return {
    n: s[0],
    mape: s[2] > 0 ? s[1] / s[2] : null,
    rmspe: s[4] > 0 ? Math.sqrt(s[3] / s[4]) : null,
    coverage_80: s[6] > 0 ? s[5] / s[6] : null,
    coverage_95: s[8] > 0 ? s[7] / s[8] : null,
  };
}
