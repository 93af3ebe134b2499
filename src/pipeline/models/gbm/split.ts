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
 *
 * The scan exists twice, in JavaScript ({@link scanSplitsJs}) and as WebAssembly
 * ({@link scanFunction}); both do the same floating-point operations in the same order, so they
 * pick the same split (the tests check it).
 */
import type { BinnedMatrix } from "./binning.js";
import { countOf, gradientOf } from "./fixedpoint.js";
import { assembler, F64, I32, op, type WasmFunction } from "./wasm.js";

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

/** Raw result of a scan: the best children's score `GL²/(HL+λ) + GR²/(HR+λ)` and where it was found. */
export interface ScanResult {
  score: number;
  feature: number;
  code: number;
  missingLeft: number;
  left: number;
}

/**
 * Scans `features[0..nUsed)` of a leaf's histogram for the split with the highest children's
 * score whose children both have at least `minCount` rows. `G`, `H`: the leaf's gradient and
 * count sums. Writes `out.feature = -1` when no threshold qualifies.
 */
export function scanSplitsJs(
  hist: Float64Array,
  features: Int32Array,
  nUsed: number,
  data: BinnedMatrix,
  G: number,
  H: number,
  minCount: number,
  l2: number,
  countBase: number,
  out: ScanResult,
): void {
  const { nValueBins, histStride } = data;
  const inv = 1 / countBase;
  // The best score as a fraction bestNum / bestDen: candidates compare by cross-multiplication,
  // with no division in the loop and no division on the dependency chain of the best.
  let bestNum = -Infinity;
  let bestDen = 1;
  let bestFeature = -1;
  let bestCode = 0;
  let bestMissingLeft = 0;
  let bestLeft = 0;
  for (let j = 0; j < nUsed; j++) {
    const f = features[j];
    const nb = nValueBins[f];
    if (nb < 2) continue;
    const base = f * histStride;
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
      // Missing rows sent right. The score gl²/a + gr²/b is the fraction (gl²b + gr²a) / ab.
      if (hl >= minCount) {
        const gr = G - gl;
        const a = hl + l2;
        const b = hr + l2;
        const num = gl * gl * b + gr * gr * a;
        const den = a * b;
        if (num * bestDen > bestNum * den) {
          bestNum = num;
          bestDen = den;
          bestFeature = f;
          bestCode = c;
          bestMissingLeft = hasMissing ? 0 : hl >= hr ? 1 : 0;
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
          const a = hl2 + l2;
          const b = hr2 + l2;
          const num = gl2 * gl2 * b + gr2 * gr2 * a;
          const den = a * b;
          if (num * bestDen > bestNum * den) {
            bestNum = num;
            bestDen = den;
            bestFeature = f;
            bestCode = c;
            bestMissingLeft = 1;
            bestLeft = cum + missing;
          }
        }
      }
    }
  }
  out.score = bestNum / bestDen;
  out.feature = bestFeature;
  out.code = bestCode;
  out.missingLeft = bestMissingLeft;
  out.left = bestLeft;
}

/** Turns a scan result into a split decision: the gain must beat `minGain` and rounding noise. */
export function finishSplit(scan: ScanResult, G: number, H: number, rules: SplitRules, out: SplitCandidate): void {
  out.reset();
  if (scan.feature < 0) return;
  const gain = scan.score - (G * G) / (H + rules.l2);
  if (!(gain > rules.minGain) || !(gain > RELATIVE_GAIN_FLOOR * scan.score)) return;
  out.gain = gain;
  out.feature = scan.feature;
  out.code = scan.code;
  out.missingLeft = scan.missingLeft === 1;
  out.leftPacked = scan.left;
}

/** Bytes of the result block written by the WebAssembly scan: f64 score, f64 left, i32 feature, i32 code, i32 missingLeft. */
export const SCAN_RESULT_BYTES = 32;

/**
 * WebAssembly version of {@link scanSplitsJs}:
 * `scan(histPtr, featuresPtr, nUsed, nValueBinsPtr, G, H, minCount, l2, countBase, invCountBase, outPtr)`,
 * features and nValueBins as i32 arrays, the result block at outPtr (see {@link SCAN_RESULT_BYTES}).
 * Statement for statement the JavaScript loop above; `histStride` is a constant.
 */
export function scanFunction(histStride: number): WasmFunction {
  // Parameters.
  const [HIST, FEATS, NUSED, NVB, G, H, MINC, L2, CB, INV, OUT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // i32 locals.
  const [J, F, NB, BASE, C, HASM, BF, BC, BML] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
  // f64 locals.
  const [MISS, MCNT, MGRAD, CUM, V, GL, HL, HR, GR, A, B, NUM, DEN, BN, BL, HL2, HR2, GL2, BD] = [
    20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
  ];
  const get = op.localGet;
  const set = op.localSet;
  const { body, emit } = assembler();

  // Score of (gl, hl, hr): gr = G - gl; a = hl + l2; b = hr + l2; num = gl*gl*b + gr*gr*a; den = a*b.
  const score = (gl: number, hl: number, hr: number): void => {
    emit(get(G), get(gl), op.f64Sub, set(GR));
    emit(get(hl), get(L2), op.f64Add, set(A));
    emit(get(hr), get(L2), op.f64Add, set(B));
    emit(get(gl), get(gl), op.f64Mul, get(B), op.f64Mul, get(GR), get(GR), op.f64Mul, get(A), op.f64Mul, op.f64Add, set(NUM));
    emit(get(A), get(B), op.f64Mul, set(DEN));
  };

  emit(op.f64Const(-Infinity), set(BN), op.f64Const(1), set(BD), op.i32Const(-1), set(BF), op.i32Const(0), set(J));
  emit(op.block, op.loop); // features
  emit(get(J), get(NUSED), op.i32GeS, op.brIf(1));
  emit(get(FEATS), get(J), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(0), set(F));
  emit(get(J), op.i32Const(1), op.i32Add, set(J));
  emit(get(NVB), get(F), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(0), op.localTee(NB), op.i32Const(2), op.i32LtS, op.brIf(0));
  emit(get(HIST), get(F), op.i32Const(8 * histStride), op.i32Mul, op.i32Add, op.localTee(BASE), op.f64Load(0), op.localTee(MISS));
  emit(op.f64Const(0), op.f64Ne, op.localTee(HASM));
  emit(op.if);
  emit(get(MISS), get(INV), op.f64Mul, op.f64Floor, op.localTee(MGRAD), get(CB), op.f64Mul, set(MCNT));
  emit(get(MISS), get(MCNT), op.f64Sub, set(MCNT)); // count = missing - grad * countBase
  emit(op.else, op.f64Const(0), set(MCNT), op.f64Const(0), set(MGRAD), op.end);
  // The bin loop, emitted twice: without the missing-value branch for the common case (fewer
  // live values, no spills), and with it.
  const bins = (withMissing: boolean): void => {
    emit(op.f64Const(0), set(CUM), op.i32Const(1), set(C));
    emit(op.block, op.loop);
    emit(get(C), get(NB), op.i32GeS, op.brIf(1));
    emit(get(BASE), get(C), op.i32Const(3), op.i32Shl, op.i32Add, op.f64Load(0), op.localTee(V));
    emit(get(C), op.i32Const(1), op.i32Add, set(C)); // c is the current code + 1 from here on
    emit(op.f64Const(0), op.f64Eq, op.brIf(0));
    emit(get(CUM), get(V), op.f64Add, op.localTee(CUM), get(INV), op.f64Mul, op.f64Floor, set(GL));
    emit(get(CUM), get(GL), get(CB), op.f64Mul, op.f64Sub, set(HL));
    emit(get(H), get(HL), op.f64Sub, op.localTee(HR), get(MINC), op.f64Lt, op.brIf(1));
    // Missing rows sent right.
    emit(get(HL), get(MINC), op.f64Ge, op.if);
    score(GL, HL, HR);
    emit(get(NUM), get(BD), op.f64Mul, get(BN), get(DEN), op.f64Mul, op.f64Gt, op.if);
    emit(get(NUM), set(BN), get(DEN), set(BD), get(F), set(BF), get(C), op.i32Const(1), op.i32Sub, set(BC), get(CUM), set(BL));
    if (withMissing) emit(op.i32Const(0), set(BML));
    else emit(get(HL), get(HR), op.f64Ge, set(BML));
    emit(op.end, op.end);
    if (withMissing) {
      // Missing rows sent left.
      emit(get(HL), get(MCNT), op.f64Add, op.localTee(HL2), get(MINC), op.f64Ge);
      emit(get(H), get(HL2), op.f64Sub, op.localTee(HR2), get(MINC), op.f64Ge, op.i32And, op.if);
      emit(get(GL), get(MGRAD), op.f64Add, set(GL2));
      score(GL2, HL2, HR2);
      emit(get(NUM), get(BD), op.f64Mul, get(BN), get(DEN), op.f64Mul, op.f64Gt, op.if);
      emit(get(NUM), set(BN), get(DEN), set(BD), get(F), set(BF), get(C), op.i32Const(1), op.i32Sub, set(BC));
      emit(op.i32Const(1), set(BML), get(CUM), get(MISS), op.f64Add, set(BL));
      emit(op.end, op.end);
    }
    emit(op.br(0), op.end, op.end);
  };
  emit(get(HASM), op.if);
  bins(true);
  emit(op.else);
  bins(false);
  emit(op.end);
  emit(op.br(0), op.end, op.end); // features
  emit(get(OUT), get(BN), get(BD), op.f64Div, op.f64Store(0), get(OUT), get(BL), op.f64Store(8));
  emit(get(OUT), get(BF), op.i32Store(16), get(OUT), get(BC), op.i32Store(20), get(OUT), get(BML), op.i32Store(24));
  return {
    exportName: "scan",
    params: [I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, I32],
    locals: [
      [9, I32],
      [19, F64],
    ],
    body,
  };
}
