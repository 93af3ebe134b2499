/**
 * Exploration for issue 13: `npx tsx bench/auto/eval.ts [variant...]` scores blend strategies of
 * cached GBM forecasts (bench/auto/cache.ts) with seasonal naive 168 h on the origin sets.
 * Weights at origin o come only from forecasts whose targets are at or before o.
 */
import { readFileSync } from "node:fs";
import { actualsAfter } from "../../src/pipeline/backtest/engine.js";
import { loadSourcePanel } from "../../src/pipeline/backtest/history.js";
import { ErrorAccumulator } from "../../src/pipeline/backtest/metrics.js";
import { EMBEDDED_DATA_PATH } from "../../src/pipeline/config/paths.js";
import { loadPreset } from "../../src/pipeline/dataset/preset.js";
import { fileSource } from "../../src/pipeline/ingest/file-source.js";
import { createForecaster } from "../../src/pipeline/models/catalog.js";
import type { BlendForecaster } from "../../src/pipeline/models/blend.js";
import { DAY_MS } from "../../src/pipeline/time/index.js";

const H = 24;
const panel = await loadSourcePanel(fileSource(EMBEDDED_DATA_PATH), loadPreset("de35"));
const nS = panel.keys.length;
type Cache = Record<string, Record<string, number[]>>;
const variants = process.argv.slice(2).length ? process.argv.slice(2) : ["base"];
if (process.env.MEMBERS) variants.push(...process.env.MEMBERS.split(",").filter((v) => !variants.includes(v)));
const caches: Record<string, Cache> = {};
for (const v of new Set(variants.flatMap((x) => x.split("+")).filter((x) => x !== "nadj")))
  caches[v] = JSON.parse(readFileSync(`.data/auto-cache/${v}${process.env.SUFFIX ?? ""}.json`, "utf8"));
const iso = (o: number) => new Date(o).toISOString();

let ADJ = Number(process.env.ADJ ?? 0);
function naiveAdj(o: number): Float64Array {
  const keep = ADJ;
  ADJ = 24;
  const r = naive(o);
  ADJ = keep;
  return r;
}
function naive(o: number): Float64Array {
  const base = (o - panel.start) / 3_600_000;
  const out = new Float64Array(nS * H);
  for (let s = 0; s < nS; s++) {
    const v = panel.values[s];
    let r = 1;
    if (ADJ > 0) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < ADJ; j++) {
        a += v[base - j];
        b += v[base - j - 168];
      }
      r = b > 0 && a > 0 ? a / b : 1;
    }
    for (let k = 1; k <= H; k++) out[s * H + k - 1] = v[base + k - 168] * r;
  }
  return out;
}
/** GBM forecast from origin o of a model fitted `lagDays` earlier (0: refit at o). */
function gbm(v: string, o: number, lagDays = 0): Float64Array | undefined {
  if (v === "nadj") return naiveAdj(o);
  if (v.includes("+")) {
    const parts = v.split("+").map((x) => gbm(x, o, lagDays));
    if (parts.some((p) => !p)) return undefined;
    return parts[0]!.map((_, i) => parts.reduce((a, p) => a + p![i], 0) / parts.length);
  }
  const p = caches[v][iso(o - lagDays * DAY_MS)]?.[String(lagDays)];
  return p ? Float64Array.from(p) : undefined;
}
const D = Date.UTC;
const sets: Record<string, number[]> = process.env.SUFFIX
  ? { choice2: [] }
  : {
      choice: [],
      A: [],
      B: [],
      C: [],
      D: [],
    };
if (process.env.SUFFIX) {
  // Every other hour, targets up to the first reported origin (2023-01-04T12:00).
  for (let d = D(2022, 11, 29, 0); d <= D(2023, 0, 3, 12); d += 2 * 3_600_000) sets.choice2.push(d);
} else for (let d = D(2022, 11, 29, 12); d <= D(2023, 0, 3, 22); d += 3_600_000) if ([12, 22].includes(new Date(d).getUTCHours())) sets.choice.push(d);
if (!process.env.SUFFIX) {
  for (let d = D(2023, 0, 4, 22); d <= D(2023, 0, 13, 22); d += DAY_MS) sets.A.push(d);
  for (let d = D(2023, 0, 4, 12); d <= D(2023, 0, 13, 12); d += DAY_MS) sets.B.push(d);
  for (let d = D(2022, 11, 29, 22); d <= D(2023, 0, 1, 22); d += DAY_MS) sets.C.push(d);
  for (let d = D(2023, 0, 7, 22); d <= D(2023, 0, 13, 22); d += DAY_MS) sets.D.push(d);
}

const blendModel = createForecaster("gbm-blend") as BlendForecaster;
const GRID = Array.from({ length: 21 }, (_, i) => i / 20);

/** Per-step weights of gbm (the rest to naive) minimising inner-fold MAPE; smoothing: 'step' | 'global' | 'block6' | 'shrink'. */
function learn(folds: Array<{ g: Float64Array; n: Float64Array; y: Float64Array }>, mode: string, fallback: number): number[] {
  if (folds.length === 0) return Array(H).fill(fallback);
  // err[step][grid]
  const err = Array.from({ length: H }, () => new Float64Array(GRID.length));
  for (const f of folds)
    for (let i = 0; i < f.y.length; i++) {
      const y = f.y[i];
      if (!(y > 0) || !Number.isFinite(f.g[i]) || !Number.isFinite(f.n[i])) continue;
      const st = i % H;
      for (let j = 0; j < GRID.length; j++) err[st][j] += Math.abs(y - (GRID[j] * f.g[i] + (1 - GRID[j]) * f.n[i])) / y;
    }
  const argmin = (e: Float64Array) => GRID[e.reduce((b, x, j) => (x < e[b] ? j : b), 0)];
  const total = new Float64Array(GRID.length);
  for (const e of err) for (let j = 0; j < GRID.length; j++) total[j] += e[j];
  const wg = argmin(total);
  if (mode === "global") return Array(H).fill(wg);
  if (mode === "step") return err.map(argmin);
  if (mode.startsWith("block")) {
    const b = Number(mode.slice(5));
    const out: number[] = [];
    for (let st = 0; st < H; st++) {
      const lo = Math.floor(st / b) * b;
      const e = new Float64Array(GRID.length);
      for (let k = lo; k < Math.min(H, lo + b); k++) for (let j = 0; j < GRID.length; j++) e[j] += err[k][j];
      out.push(argmin(e));
    }
    return out;
  }
  if (mode.includes("~")) {
    // shrink toward 0.5: mode "win4~0.5" = (1-a) * learned + a * 0.5
    const [m, a] = mode.split("~");
    return learn(folds, m, fallback).map((w) => (1 - Number(a)) * w + Number(a) * 0.5);
  }
  if (mode.startsWith("win")) {
    // moving window of +-r steps
    const r = Number(mode.slice(3));
    return err.map((_, st) => {
      const e = new Float64Array(GRID.length);
      for (let k = Math.max(0, st - r); k <= Math.min(H - 1, st + r); k++) for (let j = 0; j < GRID.length; j++) e[j] += err[k][j];
      return argmin(e);
    });
  }
  throw new Error(mode);
}

function score(origins: number[], fc: (o: number) => Float64Array | undefined): string {
  const acc = new ErrorAccumulator();
  let miss = 0;
  for (const o of origins) {
    const f = fc(o);
    if (!f) {
      miss++;
      continue;
    }
    const y = actualsAfter(panel, o, H);
    for (let i = 0; i < y.length; i++) acc.add(y[i], f[i]);
  }
  return (acc.summary().mape * 100).toFixed(2) + (miss ? `(-${miss})` : "");
}

function mix(g: Float64Array, n: Float64Array, w: number[]): Float64Array {
  return g.map((x, i) => w[i % H] * x + (1 - w[i % H]) * n[i]);
}

const strategies: Record<string, (v: string) => (o: number) => Float64Array | undefined> = {
  gbm: (v) => (o) => gbm(v, o),
  naive: () => (o) => naive(o),
  half: (v) => (o) => {
    const g = gbm(v, o);
    return g && mix(g, naive(o), Array(H).fill(0.5));
  },
  "gbm-blend-rule": (v) => (o) => {
    const g = gbm(v, o);
    if (!g) return undefined;
    const w = blendModel.stepWeights(o, H).map((x) => x[0]);
    return mix(g, naive(o), w);
  },
};
for (const K of (process.env.KS ?? "1,2,3,4,6").split(",").map(Number)) {
  for (const mode of (process.env.MODES ?? "global,step,block6,win2,win4").split(",")) {
    for (const single of [false, true]) {
      if (single && K > 3) continue;
      strategies[`K${K}-${mode}${single ? "-1fit" : ""}`] = (v) => (o) => {
        const g = gbm(v, o);
        if (!g) return undefined;
        const folds = [];
        for (let k = 1; k <= K; k++) {
          const io = o - k * DAY_MS;
          const gi = single ? gbm(v, io, K - k) : gbm(v, io);
          if (gi) folds.push({ g: gi, n: naive(io), y: actualsAfter(panel, io, H) });
        }
        return mix(g, naive(o), learn(folds, mode, 0.5));
      };
    }
  }
}
const names = Object.keys(sets);
console.log(["variant", "strategy", ...names].join("\t"));
for (const v of variants) for (const [sn, st] of Object.entries(strategies)) console.log([v, sn, ...names.map((n) => score(sets[n], st(v)))].join("\t"));

// ---- n-member simplex weights: MEMBERS=base,diff168 (plus naive) ----
if (process.env.MEMBERS) {
  const ms = process.env.MEMBERS.split(",");
  const m = ms.length + 1;
  const step = 0.1;
  const simplex: number[][] = [];
  const rec = (pre: number[], left: number) => {
    if (pre.length === m - 1) return simplex.push([...pre, Math.round(left * 10) / 10]);
    for (let x = 0; x <= left + 1e-9; x += step) rec([...pre, Math.round(x * 10) / 10], left - x);
  };
  rec([], 1);
  const eq = Array(m).fill(1 / m);
  const fc = (K: number, r: number, a: number, prior: number[]) => (o: number) => {
    const cur = ms.map((v) => gbm(v, o));
    if (cur.some((c) => !c)) return undefined;
    const parts = [...(cur as Float64Array[]), naive(o)];
    const err = Array.from({ length: H }, () => new Float64Array(simplex.length));
    let nf = 0;
    for (let k = 1; k <= K; k++) {
      const io = o - k * DAY_MS;
      const ps = ms.map((v) => gbm(v, io, process.env.ONEFIT ? K - k : 0));
      if (ps.some((p) => !p)) continue;
      nf++;
      const P = [...(ps as Float64Array[]), naive(io)];
      const y = actualsAfter(panel, io, H);
      for (let i = 0; i < y.length; i++) {
        if (!(y[i] > 0)) continue;
        for (let j = 0; j < simplex.length; j++) {
          let f = 0;
          for (let q = 0; q < m; q++) f += simplex[j][q] * P[q][i];
          err[i % H][j] += Math.abs(y[i] - f) / y[i];
        }
      }
    }
    const W = err.map((_, st) => {
      if (nf === 0) return prior;
      const e = new Float64Array(simplex.length);
      for (let kk = Math.max(0, st - r); kk <= Math.min(H - 1, st + r); kk++) for (let j = 0; j < simplex.length; j++) e[j] += err[kk][j];
      const best = simplex[e.reduce((b, x, j) => (x < e[b] ? j : b), 0)];
      return best.map((w, q) => (1 - a) * w + a * prior[q]);
    });
    const gate = Number(process.env.GATE ?? Infinity);
    const last = parts[parts.length - 1];
    return parts[0].map((g, i) => (Math.abs(g - last[i]) / g > gate ? g : parts.reduce((acc, p, q) => acc + W[i % H][q] * p[i], 0)));
  };
  for (const K of [1, 2, 3, 4])
    for (const a of [0, 0.3, 0.5])
      for (const [pn, pr] of [["eq", eq]] as const)
        console.log(
          [
            ms.join("+") + "+naive",
            `K${K}-win4~${a}-${pn}${process.env.ONEFIT ? "-1fit" : ""}`,
            ...names.map((n) => score(sets[n], fc(K, 4, a, pr as number[]))),
          ].join("\t"),
        );
}
