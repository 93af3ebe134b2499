/**
 * Exploration for issue 13 (not a benchmark of record): `npx tsx bench/auto/cache.ts <variant>`.
 * Fits a GBM variant at every daily origin (22:00 and 12:00 UTC) of the embedded data, and from
 * each fit forecasts 24 h from the fit origin and the next 3 days' same-hour origins (with the
 * real history up to each), caching the points under .data/auto-cache/<variant>.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadSourcePanel } from "../../src/pipeline/backtest/history.js";
import { EMBEDDED_DATA_PATH } from "../../src/pipeline/config/paths.js";
import { loadPreset } from "../../src/pipeline/dataset/preset.js";
import { panelEnd, panelUntil } from "../../src/pipeline/features/panel.js";
import { DEFAULT_FEATURE_SPEC, historyNeeded } from "../../src/pipeline/features/spec.js";
import { fileSource } from "../../src/pipeline/ingest/file-source.js";
import { defaultGbmOptions } from "../../src/pipeline/models/catalog.js";
import { GbmForecaster, type GbmForecasterOptions } from "../../src/pipeline/models/gbm-forecaster.js";
import { DAY_MS, HOUR_MS } from "../../src/pipeline/time/index.js";

const VARIANTS: Record<string, () => GbmForecasterOptions[]> = {
  base: () => [defaultGbmOptions()],
  es: () => [defaultGbmOptions("gbm", { nIterations: 1000, learningRate: 0.05, earlyStoppingRounds: 50, validationFraction: 0.15 })],
  r400: () => [defaultGbmOptions("gbm", { nIterations: 400, learningRate: 0.05 })],
  diff168: () => [{ ...defaultGbmOptions(), features: { ...DEFAULT_FEATURE_SPEC, baseLag: 168 } }],
  diff24: () => [{ ...defaultGbmOptions(), features: { ...DEFAULT_FEATURE_SPEC, baseLag: 24 } }],
  diff168s3: () =>
    [0, 1, 2].map((seed) => ({
      ...defaultGbmOptions("gbm", { seed, rowSubsample: 0.8, featureSubsample: 0.8 }),
      features: { ...DEFAULT_FEATURE_SPEC, baseLag: 168 },
    })),
  l2: () => [defaultGbmOptions("gbm", { l2: 1, minSamplesLeaf: 50 })],
  seeds3: () => [0, 1, 2].map((seed) => defaultGbmOptions("gbm", { seed, rowSubsample: 0.8, featureSubsample: 0.8 })),
};
const variant = process.argv[2] ?? "base";
const panel = await loadSourcePanel(fileSource(EMBEDDED_DATA_PATH), loadPreset("de35"));
const H = 24;
const min = panel.start + (historyNeeded(DEFAULT_FEATURE_SPEC) + 2) * HOUR_MS;
const end = process.env.LAST ? Date.parse(process.env.LAST) : panelEnd(panel) - H * HOUR_MS;
const HOURS = (process.env.HOURS ?? "12,22").split(",").map(Number);
const origins: number[] = [];
for (let o = min; o <= end; o += HOUR_MS) {
  const h = new Date(o).getUTCHours();
  if (HOURS.includes(h)) origins.push(o);
}
const out: Record<string, Record<string, number[]>> = {};
let fitS = 0;
for (const o of origins) {
  const hist = panelUntil(panel, o, true);
  const models = VARIANTS[variant]().map((opt) => new GbmForecaster(opt));
  const t0 = performance.now();
  for (const m of models) m.fit(hist);
  fitS += (performance.now() - t0) / 1000;
  const row: Record<string, number[]> = {};
  for (let k = 0; k <= 3; k++) {
    const f = o + k * DAY_MS;
    if (f > end) break;
    const h = panelUntil(panel, f, true);
    const pts = models.map((m) => m.forecast(H, h).point);
    row[String(k)] = Array.from(pts[0], (_, i) => pts.reduce((a, p) => a + p[i], 0) / pts.length);
  }
  out[new Date(o).toISOString()] = row;
  console.log(variant, new Date(o).toISOString(), `fit total ${fitS.toFixed(1)} s`);
}
mkdirSync(".data/auto-cache", { recursive: true });
writeFileSync(`.data/auto-cache/${variant}${process.env.SUFFIX ?? ""}.json`, JSON.stringify(out));
