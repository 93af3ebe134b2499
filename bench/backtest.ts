/**
 * Benchmark of the forecasting engine: `npx tsx bench/backtest.ts [scenario...]`.
 *
 * Scenarios (each runs in its own process, so peak memory is per scenario):
 * - `embedded`: the 7-origin backtest of the default model on the embedded DE35 data (origins
 *   2023-01-07T22:00 .. 2023-01-13T22:00 every 24 h, horizon 24, plus the calibration warm-up
 *   origin), and the latency of one 76-series x 24 h forecast from a fitted model.
 * - `synthetic-1k`, `synthetic-1k-4w`, `synthetic-10k`: a seeded synthetic panel (daily and weekly
 *   cycles, noise, Danish holidays) of 1,000 / 10,000 series x 90 days; one fit of the global
 *   model on the most recent 4 days (or 4 weeks) of targets, and one 24 h forecast of every
 *   series. Training on all 90 days of 10k series would need ~20 M rows x 88 features x 8 bytes
 *   (14 GB) of features, so the large runs train on a recent window (`trainHours`).
 */
import { spawnSync } from "node:child_process";
import { runBacktest } from "../src/pipeline/backtest/engine.js";
import { loadSourcePanel } from "../src/pipeline/backtest/history.js";
import { syntheticPanel } from "../src/pipeline/backtest/synthetic.js";
import { EMBEDDED_DATA_PATH } from "../src/pipeline/config/paths.js";
import { loadPreset } from "../src/pipeline/dataset/preset.js";
import { buildTrainingRows } from "../src/pipeline/features/matrix.js";
import { panelUntil, type Panel } from "../src/pipeline/features/panel.js";
import { fileSource } from "../src/pipeline/ingest/file-source.js";
import { createForecaster, defaultGbmOptions } from "../src/pipeline/models/catalog.js";
import { DEFAULT_MODEL } from "../src/pipeline/models/names.js";
import { GbmForecaster } from "../src/pipeline/models/gbm-forecaster.js";
import { best, peakMb, report } from "./util.js";

const SCENARIOS: Record<string, () => Promise<void>> = {
  embedded,
  "synthetic-1k": () => synthetic(1_000, 24 * 4),
  "synthetic-1k-4w": () => synthetic(1_000, 24 * 28),
  "synthetic-10k": () => synthetic(10_000, 24 * 4),
};

async function embedded(): Promise<void> {
  const t0 = performance.now();
  const panel = await loadSourcePanel(fileSource(EMBEDDED_DATA_PATH), loadPreset("de35"));
  const loadS = (performance.now() - t0) / 1000;
  const from = Date.UTC(2023, 0, 7, 22);
  const t1 = performance.now();
  const r = runBacktest(panel, [{ name: DEFAULT_MODEL, create: () => createForecaster(DEFAULT_MODEL) }], {
    from,
    to: Date.UTC(2023, 0, 13, 22),
    every: 24,
    horizon: 24,
  });
  const wall = (performance.now() - t1) / 1000;
  const m = r.models[0];
  // Training rows the global model saw over all fits (warm-up included).
  let rows = 0;
  for (const o of [...r.warmupOrigins, ...r.origins]) rows += buildTrainingRows(panelUntil(panel, o), defaultGbmOptions().features).X.nRows;
  report(`backtest ${DEFAULT_MODEL}`, {
    origins: r.origins.length,
    fits: r.origins.length + r.warmupOrigins.length,
    load_s: loadS.toFixed(2),
    wall_s: wall.toFixed(2),
    fit_s: m.fitSeconds.toFixed(2),
    predict_s: m.predictSeconds.toFixed(3),
    train_rows: rows,
    rows_per_s: Math.round(rows / m.fitSeconds),
    mape: m.mape.toFixed(4),
    coverage80: m.coverage80.toFixed(3),
  });
  const full = await best(5, () => buildTrainingRows(panel, defaultGbmOptions().features, { minHistory: 72 }));
  report("feature rows (all data)", { rows: full.result.X.nRows, features: full.result.X.nFeatures, best_ms: (full.seconds * 1000).toFixed(1) });
  const model = createForecaster(DEFAULT_MODEL);
  const history = panelUntil(panel, Date.UTC(2023, 0, 13, 22));
  model.fit(history);
  const one = await best(20, () => model.forecast(24));
  report("forecast 76 series x 24 h", { best_ms: (one.seconds * 1000).toFixed(1), peak_mb: peakMb() });
}

async function synthetic(series: number, trainHours: number): Promise<void> {
  const t0 = performance.now();
  const panel: Panel = syntheticPanel({ series, hours: 24 * 90, seed: 42 });
  const genS = (performance.now() - t0) / 1000;
  const model = new GbmForecaster({ ...defaultGbmOptions(), trainHours });
  const t1 = performance.now();
  model.fit(panel);
  const fitS = (performance.now() - t1) / 1000;
  const rows = series * trainHours;
  const t2 = performance.now();
  const f = model.forecast(24);
  const predictS = (performance.now() - t2) / 1000;
  report(`synthetic ${series} x 90 d`, {
    train_hours: trainHours,
    generate_s: genS.toFixed(2),
    train_rows: rows,
    fit_s: fitS.toFixed(2),
    rows_per_s: Math.round(rows / fitS),
    predict_24h_s: predictS.toFixed(3),
    forecasts: f.point.length,
    peak_mb: peakMb(),
  });
}

const wanted = process.argv.slice(2);
if (wanted.length === 1 && SCENARIOS[wanted[0]]) {
  await SCENARIOS[wanted[0]]();
} else {
  const names = wanted.length > 0 ? wanted : Object.keys(SCENARIOS);
  let failed = 0;
  for (const name of names) {
    if (!SCENARIOS[name]) {
      console.error(`unknown scenario "${name}"; known: ${Object.keys(SCENARIOS).join(", ")}`);
      failed++;
      continue;
    }
    const r = spawnSync(process.execPath, ["--import", "tsx", "bench/backtest.ts", name], { stdio: "inherit", env: { ...process.env, TZ: "UTC" } });
    if (r.status !== 0) failed++;
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
