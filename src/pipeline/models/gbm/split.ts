/**
 * Best split of one leaf from its histogram (LightGBM's histogram split finding).
 *
 * For a leaf with gradient sum G and hessian sum H, a split into (GL, HL) / (GR, HR) gains
 * `GL²/(HL+λ) + GR²/(HR+λ) - G²/(H+λ)` (λ = L2), the loss reduction of the two Newton leaf values
 * over one (up to the usual factor 1/2, which LightGBM also drops). Thresholds between every two
 * adjacent non-empty value bins are scanned. When the leaf has rows with the feature missing, each
 * threshold is tried twice, with the missing rows sent left and sent right, and the better one is
 * kept: the missing direction is learned per split, as in LightGBM. When the leaf has no missing
 * rows for the feature, missing values (at prediction time) follow the child with more rows.
 * A split that isolates the missing rows alone is not considered.
 *
 * Ties go to the lowest feature index, then the lowest threshold, then "missing right".
 */
import { countOf, gradientOf } from "./fixedpoint.js";

/** Gains this small relative to the children's score are rounding noise, not structure. */
const RELATIVE_GAIN_FLOOR = 1e-10;

/** The best split found for a leaf; reused between calls to avoid allocation. */
export class SplitCandidate {
  /** Gain in residual units squared (divide by scale² for target units); -Infinity when none. */
  gain = -Infinity;
  /** Split feature, -1 when none. */
  feature = -1;
  /** Value-bin codes 1..code go left. */
  code = 0;
  /** Whether rows with the feature missing go left. */
  missingLeft = false;
  /** Packed gradient/count sum of the left child. */
  leftPacked = 0;

  reset(): void {
    this.gain = -Infinity;
    this.feature = -1;
    this.code = 0;
    this.missingLeft = false;
    this.leftPacked = 0;
  }
}

/** What a split must respect. */
export interface SplitRules {
  /** Minimum rows per child (max of minSamplesLeaf and minHessianLeaf: the hessian is 1 per row). */
  minCount: number;
  /** L2 regularisation λ. */
  l2: number;
  /** Minimum gain in residual units squared; the split must exceed it strictly. */
  minGain: number;
}

/**
 * Finds the best split of a leaf over `features[0..nUsed)` into `out` (reset first).
 * `total` is the leaf's packed sum; `countBase` the packing base (fixedpoint.ts).
 * Leaves `out.feature = -1` when no split satisfies the rules.
 */
export function findBestSplit(
  hist: Float64Array,
  features: Int32Array,
  nUsed: number,
  nValueBins: Int32Array,
  total: number,
  countBase: number,
  rules: SplitRules,
  out: SplitCandidate,
): void {
  out.reset();
  const inv = 1 / countBase;
  const G = gradientOf(total, inv);
  const H = countOf(total, countBase, inv);
  const { minCount, l2 } = rules;
  if (H < 2 * minCount) return;
  const parentScore = (G * G) / (H + l2);
  let bestScore = -Infinity;
  let bestFeature = -1;
  let bestCode = 0;
  let bestMissingLeft = false;
  let bestLeft = 0;
  for (let j = 0; j < nUsed; j++) {
    const f = features[j];
    const nb = nValueBins[f];
    if (nb < 2) continue;
    const base = f << 8;
    const missing = hist[base];
    const hasMissing = missing !== 0;
    const missingCount = hasMissing ? countOf(missing, countBase, inv) : 0;
    const missingGrad = hasMissing ? gradientOf(missing, inv) : 0;
    let cum = 0;
    for (let c = 1; c < nb; c++) {
      const v = hist[base + c];
      if (v === 0) continue;
      cum += v;
      const gl = Math.floor(cum * inv);
      const hl = cum - gl * countBase;
      const hr = H - hl;
      if (hr < minCount) break;
      // Missing rows sent right.
      if (hl >= minCount) {
        const gr = G - gl;
        const score = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2);
        if (score > bestScore) {
          bestScore = score;
          bestFeature = f;
          bestCode = c;
          bestMissingLeft = hasMissing ? false : hl >= hr;
          bestLeft = cum;
        }
      }
      // Missing rows sent left.
      if (hasMissing) {
        const hl2 = hl + missingCount;
        const hr2 = H - hl2;
        if (hl2 >= minCount && hr2 >= minCount) {
          const gl2 = gl + missingGrad;
          const gr2 = G - gl2;
          const score = (gl2 * gl2) / (hl2 + l2) + (gr2 * gr2) / (hr2 + l2);
          if (score > bestScore) {
            bestScore = score;
            bestFeature = f;
            bestCode = c;
            bestMissingLeft = true;
            bestLeft = cum + missing;
          }
        }
      }
    }
  }
  if (bestFeature < 0) return;
  const gain = bestScore - parentScore;
  if (!(gain > rules.minGain) || !(gain > RELATIVE_GAIN_FLOOR * bestScore)) return;
  out.gain = gain;
  out.feature = bestFeature;
  out.code = bestCode;
  out.missingLeft = bestMissingLeft;
  out.leftPacked = bestLeft;
}
