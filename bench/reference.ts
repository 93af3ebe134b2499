/**
 * Comparison benchmark, not a test: `npm run bench -- reference` (or `npx tsx bench/reference.ts`).
 *
 * Runs scikit-learn's HistGradientBoostingRegressor with the seed Python system's features plus
 * lags 167/168/169 and a holiday flag, scaled per series (bench/reference/hgb.py; REFERENCE.md
 * section 3, best row), refitted at every origin with recursive 24 h forecasts, against our
 * model (the default, or `$REFERENCE_MODEL`: one name or several, comma-separated, each scored
 * against the same reference run) through our backtest engine on the same origins,
 * both scored by the same code on the same actuals. Origin sets: see bench/reference/sets.ts.
 * Prints the origins of each set, a table, and as its last line the table as JSON.
 *
 * `REFERENCE_DATA=meters` runs both on a second dataset instead of the embedded DE35 data: a seeded
 * synthetic meter file (src/pipeline/backtest/synthetic-file.ts; 40 series keyed by site and meter,
 * local Copenhagen wall times, daily and weekly cycles, Danish
 * holidays, noise) from 2023-04-20 to 2023-05-31, read through the generic file source; its
 * holiday set C is the week of Ascension Day (May 18). `REFERENCE_DATA=meters-ny`: the same meters
 * on New York wall times with no holidays; `REFERENCE_DATA=meters-fresh`: another seed and season
 * (2023-03-10 .. 2023-04-21, set C the Easter week), on which nothing was ever chosen.
 *
 * `REFERENCE_SETS=F,G,H` runs only the named origin sets (unset or empty: all of them).
 *
 * Needs python3 with scikit-learn and pandas (`apt-get install -y python3-sklearn python3-pandas`);
 * exits 1 with that advice when they are missing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { actualsAfter, runBacktest } from "../src/pipeline/backtest/engine.js";
import { loadSourcePanel } from "../src/pipeline/backtest/history.js";
import { ErrorAccumulator, seriesMapeStats } from "../src/pipeline/backtest/metrics.js";
import { EMBEDDED_DATA_PATH } from "../src/pipeline/config/paths.js";
import { loadPreset } from "../src/pipeline/dataset/preset.js";
import { datasetCalendar } from "../src/pipeline/dataset/spec.js";
import { historyNeeded } from "../src/pipeline/features/spec.js";
import { fileSource } from "../src/pipeline/ingest/file-source.js";
import { createForecaster, defaultGbmOptions } from "../src/pipeline/models/catalog.js";
import { DEFAULT_MODEL } from "../src/pipeline/models/names.js";
import { formatInstant } from "../src/pipeline/time/index.js";
import { exportPanelCsv, findPython, type ReferenceOrigin } from "./reference/python.js";
import { METERS_VARIANTS, metersPanel } from "./reference/meters.js";
import { CHRISTMAS, originSets } from "./reference/sets.js";

const HORIZON = 24;
const SEED = 0;
const MODELS = (process.env.REFERENCE_MODEL ?? DEFAULT_MODEL)
  .split(",")
  .map((m) => m.trim())
  .filter(Boolean);

const python = findPython();
if (!python) {
  console.error(
    "reference: needs python3 with scikit-learn and pandas; install them with\n  apt-get install -y python3-sklearn python3-pandas\n(or set PYTHON to an interpreter that has them)",
  );
  process.exit(1);
}
for (const m of MODELS) createForecaster(m); // an unknown $REFERENCE_MODEL fails before the long runs

const DATA = process.env.REFERENCE_DATA ?? "embedded";
if (DATA !== "embedded" && !(DATA in METERS_VARIANTS)) {
  const names = ["embedded", ...Object.keys(METERS_VARIANTS)].map((k) => `"${k}"`).join(", ");
  console.error(`reference: REFERENCE_DATA must be one of ${names}, got "${DATA}"`);
  process.exit(2);
}

const de35 = loadPreset("de35");
const { panel, calendar, holidays } =
  DATA !== "embedded"
    ? await metersPanel(METERS_VARIANTS[DATA])
    : { panel: await loadSourcePanel(fileSource(EMBEDDED_DATA_PATH), de35), calendar: datasetCalendar(de35), holidays: CHRISTMAS };
// Our warm-up origin (a horizon before the first) needs training rows too.
const allSets = originSets(panel, HORIZON, historyNeeded(defaultGbmOptions().features) + HORIZON + 1, holidays);
const wanted = process.env.REFERENCE_SETS?.split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = wanted?.filter((name) => !allSets.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`reference: REFERENCE_SETS names ${unknown.join(", ")}, which this data does not have; it has ${allSets.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const sets = wanted?.length ? allSets.filter((s) => wanted.includes(s.name)) : allSets;
for (const s of sets) console.log(`set ${s.name} (${s.about}): ${s.origins.map(formatInstant).join(", ")}`);

// The reference: every distinct origin once, in one Python process.
const dir = mkdtempSync(join(tmpdir(), "reference-bench-"));
const ref = new Map<number, ReferenceOrigin>();
try {
  const unique = [...new Set(sets.flatMap((s) => s.origins))].sort((a, b) => a - b);
  exportPanelCsv(panel, join(dir, "data.csv"));
  writeFileSync(join(dir, "origins.json"), JSON.stringify({ origins: unique.map((o) => new Date(o).toISOString()), horizon: HORIZON, seed: SEED, calendar }));
  const r = spawnSync(python, ["bench/reference/hgb.py", join(dir, "data.csv"), join(dir, "origins.json"), join(dir, "out.json")], {
    stdio: ["ignore", "inherit", "inherit"],
    // One thread, like our engine: a fair wall-time comparison, and OpenMP's spinning threads
    // slow to a crawl on a shared 2-core machine.
    env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? "1" },
  });
  if (r.status !== 0) {
    console.error(`reference: ${python} bench/reference/hgb.py failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  const out = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as { origins: ReferenceOrigin[] };
  for (const o of out.origins) ref.set(Date.parse(o.origin), o);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

interface Row {
  model: string;
  set: string;
  origins: number;
  ourMape: number;
  refMape: number;
  ourSeriesMean: number;
  refSeriesMean: number;
  ourSeriesMedian: number;
  refSeriesMedian: number;
  ratio: number;
  ourCoverage80: number;
  ourWallSeconds: number;
  refWallSeconds: number;
  /** MAPE of each origin of the set, in order. */
  ourByOrigin: number[];
  refByOrigin: number[];
}

const rows: Row[] = [];
for (const model of MODELS)
  for (const s of sets) {
    const t0 = performance.now();
    const ours = runBacktest(panel, [{ name: model, create: () => createForecaster(model, {}, calendar) }], {
      from: s.origins[0],
      to: s.origins[s.origins.length - 1],
      every: 24,
      horizon: HORIZON,
    }).models[0];
    const ourWall = (performance.now() - t0) / 1000;
    // Score the reference exactly as the engine scores ours: same actuals, same accumulator.
    const pooled = new ErrorAccumulator();
    const bySeries = panel.keys.map(() => new ErrorAccumulator());
    const refByOrigin: number[] = [];
    let refWall = 0;
    for (const o of s.origins) {
      const r = ref.get(o)!;
      refWall += r.fitSeconds + r.predictSeconds;
      const actual = actualsAfter(panel, o, HORIZON);
      const at = new ErrorAccumulator();
      r.point.forEach((steps, si) =>
        steps.forEach((yhat, k) => {
          pooled.add(actual[si * HORIZON + k], yhat);
          at.add(actual[si * HORIZON + k], yhat);
          bySeries[si].add(actual[si * HORIZON + k], yhat);
        }),
      );
      refByOrigin.push(at.summary().mape);
    }
    const refMape = pooled.summary().mape;
    const refSeries = seriesMapeStats(bySeries.map((a) => a.summary().mape));
    rows.push({
      model,
      set: s.name,
      origins: s.origins.length,
      ourMape: ours.mape,
      refMape,
      ourSeriesMean: ours.seriesMape.mean,
      refSeriesMean: refSeries.mean,
      ourSeriesMedian: ours.seriesMape.median,
      refSeriesMedian: refSeries.median,
      ratio: ours.mape / refMape,
      ourCoverage80: ours.coverage80,
      ourWallSeconds: ourWall,
      refWallSeconds: refWall,
      ourByOrigin: ours.byOrigin.map((x) => x.mape),
      refByOrigin,
    });
  }

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const header = [
  "model",
  "set",
  "origins",
  "ours MAPE",
  "reference MAPE",
  "ours series-mean",
  "ref series-mean",
  "ours series-median",
  "ref series-median",
  "ratio",
  "ours cover80",
  "ours wall s",
  "ref wall s",
];
const cells = rows.map((r) => [
  r.model,
  r.set,
  String(r.origins),
  pct(r.ourMape),
  pct(r.refMape),
  pct(r.ourSeriesMean),
  pct(r.refSeriesMean),
  pct(r.ourSeriesMedian),
  pct(r.refSeriesMedian),
  r.ratio.toFixed(3),
  pct(r.ourCoverage80),
  r.ourWallSeconds.toFixed(1),
  r.refWallSeconds.toFixed(1),
]);
const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
for (const line of [header, ...cells]) console.log(line.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join("  "));
console.log("MAPE pooled over (series, hour) points; series-mean/median: of per-series MAPEs (the mean equals the pooled MAPE when every");
console.log("series has the same number of scored points); ratio = ours / reference pooled MAPE; per-origin MAPEs are in the JSON;");
console.log("our wall time includes the calibration warm-up fit, the reference's is its fits and forecasts (features included)");
console.log(
  JSON.stringify({
    data: DATA,
    models: MODELS,
    horizon: HORIZON,
    sets: sets.map((s) => ({ name: s.name, origins: s.origins.map((o) => new Date(o).toISOString()) })),
    rows,
  }),
);
