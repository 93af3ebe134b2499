/**
 * Training at width: `npx tsx bench/train-width.ts [--quick | --dev]` (or `npm run bench -- train-width`,
 * opt-in: 30-60 minutes on two cores). Every job runs in its own process, so peak memory is per job.
 *
 * Data: the synthetic width panel (bench/lib/synthetic-panel.ts): homes, shops and offices,
 * industry and night loads, sizes over five orders of magnitude, noise falling with size, regional
 * weather, Danish holidays (Great Prayer Day 2023-05-05, Ascension Day 2023-05-18), from Monday
 * 2023-04-24. The model is the default `gbm-blend` (global gradient boosting blended with seasonal
 * naive 168 h) with the default features and learner, trained on the most recent 4 days of targets
 * (`trainHours` 96, the window of the 55 s / 1.2 GB figure of issue 12: all days of 10k series do
 * not fit in memory).
 *
 * Times are wall seconds and CPU seconds of the process (the learner runs on one thread; CPU time
 * is less disturbed by other work on a shared machine).
 *
 * 1. Scale: one fit at the last origin of N = 1k and 10k series (all series), 10k and 100k series
 *    (TRAIN_MAX_SERIES 2,000 sample): generation, sampling, training rows, fit time, forecast time
 *    of every series, peak RSS.
 * 2. Accuracy: rolling-origin backtest on 10k series (seed 42) at the HELD-OUT origins
 *    2023-05-15T22:00 .. 2023-05-18T22:00 UTC every 24 h (4 origins, horizon 24, refit at each
 *    origin; Ascension Day falls in the third origin's day). Nothing was chosen on them: the
 *    default bound, the strata and the rule were fixed on the `--dev` protocol (another seed, 7,
 *    and the earlier origins 2023-05-08T22:00 .. 2023-05-10T22:00). Variants: every series; the
 *    stratified sample of 5k, 2k (and 2k with another hash salt, to show how much the choice of
 *    series matters), 1k and 500; an unstratified 2k sample (smallest hashes overall); and one
 *    model per shard (the 5 shards of `run --shards`' key hash, each model trained on and forecasting its own shard).
 *    Columns: pooled MAPE, mean and median per-series MAPE of the blend (the panel has no gaps, so
 *    pooled and mean per-series MAPE coincide), pooled and mean per-series MAPE of the global model alone,
 *    the blend's MAPE on series in and out of the training sample and on the smallest and largest
 *    tenth of the series by size, training rows and fit seconds per origin, peak RSS, and the
 *    pooled MAPE of each origin (blend and global model).
 * 3. Learner precision: the 2k sample's training rows at the first origin fitted as they are and
 *    with every row repeated 5 times (minimum leaf size x5, bins from all rows): the same trees in
 *    exact arithmetic, so any difference comes from the learner's fixed-point gradient grid,
 *    which coarsens as the rows grow (src/pipeline/models/gbm/fixedpoint.ts).
 *
 * The last line printed is the JSON of the tables.
 */
import { spawnSync } from "node:child_process";
import { actualsAfter } from "../src/pipeline/backtest/engine.js";
import { ErrorAccumulator, seriesMapeStats } from "../src/pipeline/backtest/metrics.js";
import { panelEnd, panelSubset, panelUntil, type Panel } from "../src/pipeline/features/panel.js";
import { BlendForecaster } from "../src/pipeline/models/blend.js";
import { buildTrainingRows } from "../src/pipeline/features/matrix.js";
import { defaultGbmOptions } from "../src/pipeline/models/catalog.js";
import { fitGbm } from "../src/pipeline/models/gbm/index.js";
import type { Forecast } from "../src/pipeline/models/forecast.js";
import { GbmForecaster } from "../src/pipeline/models/gbm-forecaster.js";
import { SeasonalNaive } from "../src/pipeline/models/seasonal-naive.js";
import { sampleHash } from "../src/pipeline/series/sample.js";
import { shardOf } from "../src/pipeline/series/shard.js";
import { SampledFit, seriesScales, trainingSample } from "../src/pipeline/train/sample-fit.js";
import { HOUR_MS } from "../src/pipeline/time/index.js";
import { widthPanel } from "./lib/synthetic-panel.js";
import { peakMb } from "./util.js";

const TRAIN_HOURS = 96;
const HORIZON = 24;
const DEFAULT_MAX_SERIES = 2000;

/** One job, run in a child process. */
type Job =
  | { kind: "scale"; series: number; days: number; maxSeries: number; seed: number }
  | {
      kind: "accuracy";
      variant: string;
      series: number;
      days: number;
      seed: number;
      origins: number[];
      /** 0: every series. */
      maxSeries: number;
      salt?: string;
      stratified?: boolean;
      shards?: number;
    }
  | { kind: "precision"; series: number; days: number; seed: number; origin: number; maxSeries: number; repeat: number };

/** The default model, its global part trained on the last TRAIN_HOURS hours of targets (as the catalog's `gbm-blend`). */
function blend(): BlendForecaster {
  return new BlendForecaster("gbm-blend", [new GbmForecaster({ ...defaultGbmOptions(), trainHours: TRAIN_HOURS }), new SeasonalNaive(168)], [0.5, 0.5], {
    seasonal: [{ member: 1, lag: 168 }],
  });
}

/** Training rows a fit on `panel` builds: finite targets among the last TRAIN_HOURS hours of series with a usable scale. */
function trainingRows(panel: Panel): number {
  const scales = seriesScales(panel);
  const from = Math.max(169, panel.hours - TRAIN_HOURS);
  let rows = 0;
  panel.values.forEach((v, s) => {
    if (!(scales[s] > 0)) return;
    for (let t = from; t < panel.hours; t++) if (v[t] === v[t]) rows++;
  });
  return rows;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** CPU seconds (user + system) of this process so far: less disturbed than wall time by other work on the machine. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function scaleJob(job: Extract<Job, { kind: "scale" }>): Promise<Record<string, unknown>> {
  let t0 = performance.now();
  const { panel } = widthPanel({ series: job.series, days: job.days, seed: job.seed });
  const generateS = seconds(t0);
  const panelMb = peakMb();
  const origin = panelEnd(panel) - HORIZON * HOUR_MS;
  const history = panelUntil(panel, origin);
  t0 = performance.now();
  const sample = trainingSample(history, job.maxSeries);
  const sampleS = seconds(t0);
  const model = new SampledFit(blend(), job.maxSeries);
  t0 = performance.now();
  const c0 = cpuSeconds();
  model.fit(history);
  const fitS = seconds(t0);
  const fitCpuS = cpuSeconds() - c0;
  t0 = performance.now();
  const f = model.forecast(HORIZON);
  const forecastS = seconds(t0);
  return {
    series: job.series,
    trainedOn: sample.indices.length,
    trainRows: trainingRows(panelSubset(history, sample.indices)),
    generateS: round(generateS, 2),
    sampleS: round(sampleS, 3),
    fitS: round(fitS, 1),
    fitCpuS: round(fitCpuS, 1),
    forecastS: round(forecastS, 1),
    forecasts: f.point.length,
    panelMb,
    peakMb: peakMb(),
  };
}

async function accuracyJob(job: Extract<Job, { kind: "accuracy" }>): Promise<Record<string, unknown>> {
  const { panel, info } = widthPanel({ series: job.series, days: job.days, seed: job.seed });
  const panelMb = peakMb();
  const n = panel.keys.length;
  const bySize = info.map((_, s) => s).sort((a, b) => info[a].size - info[b].size);
  const tenth = Math.floor(n / 10);
  const smallest = new Set(bySize.slice(0, tenth));
  const largest = new Set(bySize.slice(n - tenth));
  const blendAll = new ErrorAccumulator();
  const gbmAll = new ErrorAccumulator();
  const inSample = new ErrorAccumulator();
  const outSample = new ErrorAccumulator();
  const small = new ErrorAccumulator();
  const large = new ErrorAccumulator();
  const blendSeries = panel.keys.map(() => new ErrorAccumulator());
  const gbmSeries = panel.keys.map(() => new ErrorAccumulator());
  const byOrigin: Array<{ origin: string; mape: number; gbmMape: number }> = [];
  let fitMs = 0;
  let fitCpu = 0;
  let rows = 0;
  let trainedOn = 0;
  for (const origin of job.origins) {
    const history = panelUntil(panel, origin, true);
    const actual = actualsAfter(panel, origin, HORIZON);
    // Forecasts of every series (blend and its global part), the series each model trained on.
    const point = new Float64Array(n * HORIZON);
    const gbmPoint = new Float64Array(n * HORIZON);
    const trained = new Uint8Array(n);
    const groups: number[][] = job.shards
      ? Array.from({ length: job.shards }, (_, k) => panel.keys.map((_, s) => s).filter((s) => shardOf(panel.keys[s], job.shards!) === k))
      : [panel.keys.map((_, s) => s)];
    for (const group of groups) {
      const part = groups.length === 1 ? history : panelSubset(history, group);
      let model: BlendForecaster;
      let used: number[];
      const t0 = performance.now();
      const c0 = cpuSeconds();
      if (job.stratified === false) {
        // Unstratified: the series with the smallest hashes overall.
        used = part.keys
          .map((_, s) => s)
          .sort((a, b) => sampleHash(part.keys[a]) - sampleHash(part.keys[b]))
          .slice(0, job.maxSeries)
          .sort((a, b) => a - b);
        model = blend();
        model.fit(panelSubset(part, used));
      } else {
        const fit = new SampledFit(blend(), job.maxSeries, job.salt ? { salt: job.salt } : {});
        fit.fit(part);
        used = fit.sample!.indices;
        model = fit.inner as BlendForecaster;
      }
      fitMs += performance.now() - t0;
      fitCpu += cpuSeconds() - c0;
      rows += trainingRows(panelSubset(part, used));
      trainedOn += used.length;
      const fb: Forecast = model.forecast(HORIZON, part);
      const fg: Forecast = model.members[0].forecast(HORIZON, part);
      group.forEach((s, i) => {
        point.set(fb.point.subarray(i * HORIZON, (i + 1) * HORIZON), s * HORIZON);
        gbmPoint.set(fg.point.subarray(i * HORIZON, (i + 1) * HORIZON), s * HORIZON);
      });
      for (const i of used) trained[group[i]] = 1;
    }
    const atBlend = new ErrorAccumulator();
    const atGbm = new ErrorAccumulator();
    for (let s = 0; s < n; s++) {
      for (let k = s * HORIZON; k < (s + 1) * HORIZON; k++) {
        atBlend.add(actual[k], point[k]);
        atGbm.add(actual[k], gbmPoint[k]);
        blendAll.add(actual[k], point[k]);
        gbmAll.add(actual[k], gbmPoint[k]);
        blendSeries[s].add(actual[k], point[k]);
        gbmSeries[s].add(actual[k], gbmPoint[k]);
        (trained[s] ? inSample : outSample).add(actual[k], point[k]);
        if (smallest.has(s)) small.add(actual[k], point[k]);
        if (largest.has(s)) large.add(actual[k], point[k]);
      }
    }
    byOrigin.push({
      origin: new Date(origin).toISOString().slice(0, 16),
      mape: round(100 * atBlend.summary().mape, 2),
      gbmMape: round(100 * atGbm.summary().mape, 2),
    });
    process.stderr.write(`  ${job.variant}: origin ${new Date(origin).toISOString().slice(0, 16)} done, fit ${(fitMs / 1000).toFixed(1)} s so far\n`);
  }
  const origins = job.origins.length;
  const pct = (x: number) => round(100 * x, 2);
  const blendStats = seriesMapeStats(blendSeries.map((a) => a.summary().mape));
  return {
    variant: job.variant,
    trainedOn: Math.round(trainedOn / origins),
    mape: pct(blendAll.summary().mape),
    meanSeriesMape: pct(blendStats.mean),
    medianSeriesMape: pct(blendStats.median),
    gbmMape: pct(gbmAll.summary().mape),
    gbmMeanSeriesMape: pct(seriesMapeStats(gbmSeries.map((a) => a.summary().mape)).mean),
    mapeTrainedSeries: pct(inSample.summary().mape),
    mapeOtherSeries: pct(outSample.summary().mape),
    mapeSmallestTenth: pct(small.summary().mape),
    mapeLargestTenth: pct(large.summary().mape),
    trainRowsPerFit: Math.round(rows / origins),
    fitSPerOrigin: round(fitMs / 1000 / origins, 1),
    fitCpuSPerOrigin: round(fitCpu / origins, 1),
    panelMb,
    peakMb: peakMb(),
    byOrigin,
  };
}

/**
 * The learner at many rows: the training rows of a sample fitted once as they are and once with
 * every row repeated `repeat` times (and the minimum leaf size multiplied alike, bins from all
 * rows), which in exact arithmetic grows the same trees. The difference is the learner's
 * fixed-point gradient grid, which coarsens as rows grow (models/gbm/fixedpoint.ts).
 */
async function precisionJob(job: Extract<Job, { kind: "precision" }>): Promise<Record<string, unknown>> {
  const { panel } = widthPanel({ series: job.series, days: job.days, seed: job.seed });
  const history = panelUntil(panel, job.origin);
  const sample = trainingSample(history, job.maxSeries);
  const rows = buildTrainingRows(panelSubset(history, sample.indices), defaultGbmOptions().features, { recentHours: TRAIN_HOURS });
  const params = { ...defaultGbmOptions().gbm, binSampleSize: 1 << 30 };
  const once = fitGbm(rows.X, rows.y, params);
  const tile = (x: Float64Array) => {
    const out = new Float64Array(x.length * job.repeat);
    for (let k = 0; k < job.repeat; k++) out.set(x, k * x.length);
    return out;
  };
  const tiled = fitGbm({ ...rows.X, nRows: rows.X.nRows * job.repeat, columns: rows.X.columns.map(tile) }, tile(rows.y), {
    ...params,
    minSamplesLeaf: (params.minSamplesLeaf ?? 20) * job.repeat,
  });
  const a = once.predict(rows.X);
  const b = tiled.predict(rows.X);
  let maxDiff = 0;
  let mseOnce = 0;
  let mseTiled = 0;
  const n = rows.X.nRows;
  for (let i = 0; i < n; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    mseOnce += (a[i] - rows.y[i]) ** 2 / n;
    mseTiled += (b[i] - rows.y[i]) ** 2 / n;
  }
  return { rows: n, repeat: job.repeat, trainMse: round(mseOnce, 5), trainMseRepeated: round(mseTiled, 5), maxPredictionDiff: round(maxDiff, 3) };
}

function round(x: number, digits: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : x;
}

function runChild(job: Job): Record<string, unknown> | undefined {
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/train-width.ts", "--job", JSON.stringify(job)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, TZ: "UTC" },
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("{")) {
    console.error(`train-width: job ${JSON.stringify(job)} failed (exit ${r.status})`);
    process.exitCode = 1;
    return undefined;
  }
  return JSON.parse(last) as Record<string, unknown>;
}

function printRow(fields: Record<string, unknown>): void {
  console.log(
    Object.entries(fields)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.map((x: { origin?: string; mape?: number }) => `${x.origin?.slice(5)}:${x.mape}`).join(",") : String(v)}`)
      .join("  "),
  );
}

const daily = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i * 24 * HOUR_MS);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--job") {
    const job = JSON.parse(args[1]) as Job;
    const out = job.kind === "scale" ? await scaleJob(job) : job.kind === "precision" ? await precisionJob(job) : await accuracyJob(job);
    console.log(JSON.stringify(out));
    return;
  }
  const quick = args.includes("--quick");
  const dev = args.includes("--dev");
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? "").split(";") : [];
  const unknown = args.filter((a, i) => !["--quick", "--dev", "--only"].includes(a) && !(onlyAt >= 0 && i === onlyAt + 1));
  if (unknown.length > 0) {
    console.error(
      `train-width: unknown argument(s) ${unknown.join(" ")}; use --quick (smoke run), --dev (the development protocol), --only "<variant>[;<variant>...]" (those accuracy variants, no scale jobs)`,
    );
    process.exit(2);
  }
  const seed = dev ? 7 : 42;
  const series = quick ? 1_000 : 10_000;
  const origins = dev ? daily(Date.UTC(2023, 4, 8, 22), 3) : quick ? daily(Date.UTC(2023, 4, 15, 22), 2) : daily(Date.UTC(2023, 4, 15, 22), 4);
  const scale: Array<Extract<Job, { kind: "scale" }>> =
    dev || only.length > 0
      ? []
      : quick
        ? [{ kind: "scale", series: 1_000, days: 13, maxSeries: 200, seed }]
        : [
            { kind: "scale", series: 1_000, days: 13, maxSeries: 0, seed },
            { kind: "scale", series: 10_000, days: 13, maxSeries: 0, seed },
            { kind: "scale", series: 10_000, days: 13, maxSeries: DEFAULT_MAX_SERIES, seed },
            { kind: "scale", series: 100_000, days: 13, maxSeries: DEFAULT_MAX_SERIES, seed },
          ];
  const base = { kind: "accuracy" as const, series, days: 27, seed, origins };
  const sizes = quick ? [500, 200] : dev ? [2000, 1000, 500] : [5000, 2000, 1000, 500];
  const accuracy: Job[] = [
    { ...base, variant: "all series", maxSeries: 0 },
    ...sizes.map((m) => ({ ...base, variant: `sample ${m}`, maxSeries: m })),
    ...(quick || dev
      ? []
      : [
          { ...base, variant: "sample 2000, salt b", maxSeries: 2000, salt: "train-sample-b" },
          { ...base, variant: "sample 2000, unstratified", maxSeries: 2000, stratified: false },
          { ...base, variant: "5 shards, a model each", maxSeries: 0, shards: 5 },
        ]),
  ].filter((j) => only.length === 0 || only.includes(j.variant));
  console.log(`train-width: node ${process.version}; ${quick ? "quick" : dev ? "dev protocol (seed 7)" : "held-out protocol (seed 42)"}`);
  const scaleRows: Record<string, unknown>[] = [];
  if (scale.length > 0) console.log(`\n## scale: one fit of gbm-blend (4 days of targets), TRAIN_MAX_SERIES 0 = every series`);
  for (const job of scale) {
    const r = runChild(job);
    if (!r) continue;
    const row = { maxSeries: job.maxSeries, ...r };
    scaleRows.push(row);
    printRow(row);
  }
  console.log(
    `\n## accuracy: ${series} series, origins ${origins.map((o) => new Date(o).toISOString().slice(0, 16)).join(", ")} (${dev ? "development" : "held out"}), horizon ${HORIZON}, MAPE in %`,
  );
  const accuracyRows: Record<string, unknown>[] = [];
  for (const job of accuracy) {
    const r = runChild(job);
    if (!r) continue;
    accuracyRows.push(r);
    printRow(r);
  }
  let precision: Record<string, unknown> | undefined;
  if (!quick && only.length === 0) {
    console.log(`\n## learner precision: the 2,000-series sample's training rows at the first origin, fitted as they are and repeated 5 times`);
    precision = runChild({ kind: "precision", series, days: 27, seed, origin: origins[0], maxSeries: 2000, repeat: 5 });
    if (precision) printRow(precision);
  }
  console.log(
    JSON.stringify({
      protocol: quick ? "quick" : dev ? "dev" : "held-out",
      seed,
      trainHours: TRAIN_HOURS,
      scale: scaleRows,
      accuracy: { series, origins: origins.map((o) => new Date(o).toISOString()), horizon: HORIZON, rows: accuracyRows },
      ...(precision ? { precision } : {}),
    }),
  );
}

await main();
