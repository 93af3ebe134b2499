/**
 * Writes a large synthetic store (default 10,000 series) shaped exactly like the pipeline's, to
 * check that the report still builds and its pages stay light: {@link writeSyntheticStore} (the
 * report-width test uses it), or from the command line:
 *
 *     npx tsx test/reports/synthetic-store.ts <dir> [--series 10000] [--days 21] [--ticks 7] [--keys de35|strings]
 *     STORE_URI=<dir> npm run report:build
 *
 * `--keys de35` (default) writes the DE35 layout (`area` int8 with its titles, `consumer_type`
 * int32, kWh); `--keys strings` another dataset's (`MunicipalityNo` and `Branche`, both strings,
 * MWh). The last series stops reporting two days before the end (stale), and the series forecast
 * at the newest origin is recorded in the manifests like predict records them.
 *
 * Values come from the seeded synthetic panel the benchmarks use; forecasts are the truth with
 * seeded noise. Everything is written through src/pipeline (feature store, parquet writers,
 * registry) and the monitoring tables by the real monitoring step.
 */
import * as aq from "arquero";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { syntheticPanel } from "../../src/pipeline/backtest/synthetic.js";
import { DAY_MS, HOUR_MS } from "../../src/pipeline/time/index.js";
import { fixedClock, silentLogger } from "../../src/pipeline/core/effects.js";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";
import { monitor } from "../../src/pipeline/monitor/monitor.js";
import { Rng } from "../../src/pipeline/models/gbm/prng.js";
import { writeTable } from "../../src/pipeline/predict/outputs.js";
import { predictionsSchema } from "../../src/pipeline/predict/schema.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import type { RunManifest } from "../../src/pipeline/run/manifest.js";
import { outputKeys, runFileKey, runManifestKey } from "../../src/pipeline/storage/layout.js";
import { openStorage } from "../../src/pipeline/storage/open.js";
import { buildFeatureSuite, validate } from "../../src/validation/index.js";
import { datasetInfo, featureSchema, keyColumns, type DatasetSpec } from "../../src/pipeline/dataset/spec.js";
import { applyDatasetFlags, loadPreset } from "../../src/pipeline/dataset/preset.js";
import { keyColumnsFor, namedKey, type SeriesKey } from "../../src/pipeline/series/key.js";

/** What {@link writeSyntheticStore} writes. */
export interface SyntheticOptions {
  /** Series (default 10,000). */
  series?: number;
  /** Days of hourly observations (default 21). */
  days?: number;
  /** Daily forecast runs at the end of those days (default 7). */
  ticks?: number;
  /** `de35` (default) or `strings`. */
  keys?: "de35" | "strings";
}

/** Writes the store into directory `dir`; `log` hears each stage with the seconds since the start. */
export async function writeSyntheticStore(
  dir: string,
  options: SyntheticOptions = {},
  log: (line: string) => void = () => {},
): Promise<{ series: number; forecasts: number }> {
  const nSeries = options.series ?? 10_000;
  const days = options.days ?? 21;
  const ticks = options.ticks ?? 7;
  const args = { keys: options.keys ?? "de35" };
  const storage = openStorage(dir);
  const group = { name: "energy_consumption", version: 1 };
  const start = Date.UTC(2023, 0, 1);
  const hours = days * 24;
  const horizon = 24;
  const t0 = performance.now();
  const step = (what: string) => log(`${((performance.now() - t0) / 1000).toFixed(1)} s  ${what}`);

  const panel = syntheticPanel({ series: nSeries, hours, start, seed: 7 });
  // The synthetic keys (area 0-2, code 1, 2...) as the chosen dataset's keys.
  const spec: DatasetSpec =
    args.keys === "de35"
      ? loadPreset("de35")
      : applyDatasetFlags(undefined, { keys: "MunicipalityNo,Branche", time: "HourUTC", value: "ConsumptionMWh", unit: "MWh" });
  const keys: SeriesKey[] = panel.keys.map(([area, code]) => (args.keys === "de35" ? [area, code] : [String(101 + 100 * Number(area)), `B${code}`]));
  if (args.keys === "de35") spec.keys[1].values = Array.from(new Set(keys.map((k) => k[1])));
  const info = datasetInfo(spec);
  const columns = keyColumns(spec);
  // The last series stops reporting two days before the end: predict lists it as stale.
  const staleFrom = hours - 48;
  const n = nSeries * hours - (hours - staleFrom);
  const time = new Float64Array(n),
    value = new Float64Array(n);
  const rowKeys: SeriesKey[] = new Array(n);
  for (let s = 0, i = 0; s < nSeries; s++) {
    for (let h = 0; h < (s === nSeries - 1 ? staleFrom : hours); h++, i++) {
      time[i] = start + h * HOUR_MS;
      rowKeys[i] = keys[s];
      value[i] = panel.values[s][h];
    }
  }
  const features = aq.table({ datetime_utc: time, ...keyColumnsFor(rowKeys, columns), energy_consumption: value });
  const lastHour = start + (hours - 1) * HOUR_MS;
  const runIds = Array.from({ length: ticks }, (_, k) => `run-synthetic-${String(k + 1).padStart(3, "0")}`);
  await new FeatureStore(storage, group, undefined, info).upsert(features, runIds[runIds.length - 1], new Date());
  step(`feature store: ${n} rows`);

  // Validation results of every tick: the real suite on the newest day (DE35 codes are synthetic,
  // so the consumer-type set is this store's own).
  const lastDay = features.params({ s: lastHour - DAY_MS }).filter((d: { datetime_utc: number }, $: { s: number }) => d.datetime_utc > $.s);
  const result = validate(lastDay, buildFeatureSuite(spec), { columnTypes: Object.fromEntries(featureSchema(columns)), now: new Date() });
  for (const runId of runIds) {
    await storage.write(
      `validation/${runId}.json`,
      JSON.stringify({ ...result, meta: { ...result.meta, run_id: { run_name: runId, run_time: result.meta.validation_time } } }),
    );
  }
  step(`validation: ${result.success ? "passed" : "failed"}`);

  // Forecast history: one origin a day (23:00), the newest at the last hour (not yet measured).
  const origins = Array.from({ length: ticks }, (_, k) => lastHour - (ticks - 1 - k) * DAY_MS - (k === ticks - 1 ? 0 : HOUR_MS));
  const rng = new Rng(11);
  // The stale series is forecast only while it still reports at the origin.
  const forecastAt = (o: number) => (o < start + staleFrom * HOUR_MS ? nSeries : nSeries - 1);
  const rows = origins.reduce((total, o) => total + forecastAt(o) * horizon, 0);
  const cols = {
    datetime_utc: new Float64Array(rows),
    origin: new Float64Array(rows),
    step: new Int16Array(rows),
    prediction: new Float64Array(rows),
    lower_80: new Float64Array(rows),
    upper_80: new Float64Array(rows),
    lower_95: new Float64Array(rows),
    upper_95: new Float64Array(rows),
    model: new Array<string>(rows),
    model_version: new Int32Array(rows),
    run_id: new Array<string>(rows),
  };
  const forecastKeys: SeriesKey[] = new Array(rows);
  let r = 0;
  origins.forEach((o, k) => {
    const version = k < ticks / 2 ? 1 : 2;
    for (let s = 0; s < forecastAt(o); s++) {
      const last = panel.values[s][(o - start) / HOUR_MS];
      for (let step = 1; step <= horizon; step++, r++) {
        const t = o + step * HOUR_MS;
        const idx = (t - start) / HOUR_MS;
        const truth = idx < hours ? panel.values[s][idx] : last;
        const p = truth * (1 + 0.08 * (rng.nextFloat() - 0.5) * 2);
        forecastKeys[r] = keys[s];
        cols.datetime_utc[r] = t;
        cols.origin[r] = o;
        cols.step[r] = step;
        cols.prediction[r] = p;
        cols.lower_80[r] = p * 0.93;
        cols.upper_80[r] = p * 1.07;
        cols.lower_95[r] = p * 0.88;
        cols.upper_95[r] = p * 1.12;
        cols.model[r] = "gbm-blend";
        cols.model_version[r] = version;
        cols.run_id[r] = runIds[k];
      }
    }
  });
  const history = aq.table({ ...keyColumnsFor(forecastKeys, columns), ...cols });
  await writeTable(storage, outputKeys.history, history, predictionsSchema(columns));
  await writeTable(
    storage,
    outputKeys.predictions,
    history.params({ o: origins[ticks - 1] }).filter((d: { origin: number }, $: { o: number }) => d.origin === $.o),
    predictionsSchema(columns),
  );
  step(`forecast history: ${rows} rows`);
  const monitored = await monitor(
    { storage, group, runId: "monitor-synthetic", clock: fixedClock(new Date(lastHour + HOUR_MS)), logger: silentLogger },
    { visibleUntil: lastHour + HOUR_MS, policy: { maxMape7d: 0.1, minCoverage80: 0.6 } },
  );
  step(`monitoring: ${monitored.report.scored} scored`);

  // Two registered versions with small artifacts (seasonal naive) and their experiment records.
  const registry = new ModelRegistry(storage);
  for (const version of [1, 2]) {
    const end = version === 1 ? origins[0] : origins[Math.ceil(ticks / 2)];
    const folds = [3, 2, 1].map((k) => new Date(end - horizon * HOUR_MS - (k - 1) * DAY_MS).toISOString());
    const runId = runIds[version === 1 ? 0 : Math.ceil(ticks / 2)];
    await storage.write(
      `experiments/${runId}/trial-001.json`,
      JSON.stringify({
        runId,
        trial: 1,
        model: "gbm-blend",
        params: {},
        metrics: { mape: 0.05, rmspe: 0.07, coverage80: 0.8 },
        fitSeconds: 1,
        predictSeconds: 0.1,
        folds,
        dataWindow: [new Date(start).toISOString(), new Date(end).toISOString()],
      }),
    );
    await registry.register(
      "gbm-blend",
      { format: "energy-forecast/forecaster", version: 1, kind: "seasonal-naive", name: "seasonal-naive-168", period: 168 },
      {
        createdAt: new Date().toISOString(),
        kind: "seasonal-naive",
        trainingWindow: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
        featureStore: { group: "energy_consumption/v1", commit: 1 },
        features: ["lag_168"],
        hyperparameters: {},
        metrics: { mape: 0.05, rmspe: 0.07, coverage80: 0.8, folds: 3 },
        runId,
        codeVersion: "synthetic",
      },
    );
  }
  await registry.setAlias("gbm-blend", "production", 2);

  for (const [k, runId] of runIds.entries()) {
    const asOf = origins[k] + HOUR_MS + 15 * DAY_MS;
    const manifest: RunManifest = {
      format: "energy-forecast/run-manifest",
      formatVersion: 1,
      runId,
      status: "succeeded",
      asOf: new Date(asOf).toISOString(),
      visibleUntil: new Date(origins[k] + HOUR_MS).toISOString(),
      startedAt: new Date(Date.now() - (ticks - k) * 3_600_000).toISOString(),
      finishedAt: new Date(Date.now() - (ticks - k) * 3_600_000 + 60_000).toISOString(),
      durationsMs: { ingest: 20_000, decide: 10, monitor: 15_000, predict: 20_000, write: 5_000 },
      ingest: {
        window: [new Date(start).toISOString(), new Date(origins[k]).toISOString()],
        rows: n,
        series: nSeries,
        added: nSeries * 24,
        changed: 0,
        featureStoreCommit: 1,
      },
      validation: { success: true, evaluated: result.statistics.evaluated_expectations, key: `validation/${runId}.json` },
      train: { trained: k === 0 || k === Math.ceil(ticks / 2), reason: "synthetic", model: "gbm-blend", version: k < ticks / 2 ? 1 : 2 },
      monitor: {
        forecasts: rows,
        scored: monitored.report.scored,
        mape: monitored.report.mape,
        mape7d: monitored.report.mape7d,
        coverage80_7d: monitored.report.coverage80_7d,
        alerts: [],
      },
      dataset: { name: info.name, keys: info.keys.map((c) => c.name), unit: info.unit },
      predict: {
        model: "gbm-blend",
        modelVersion: k < ticks / 2 ? 1 : 2,
        origin: new Date(origins[k]).toISOString(),
        horizon,
        series: forecastAt(origins[k]),
        rows: forecastAt(origins[k]) * horizon,
        inputRows: n,
        stale:
          forecastAt(origins[k]) < nSeries
            ? [
                {
                  key: namedKey(keys[nSeries - 1], columns),
                  lastObserved: new Date(start + (staleFrom - 1) * HOUR_MS).toISOString(),
                  reason: "no observation at the origin",
                },
              ]
            : [],
        baseline: [],
      },
      outputs: { predictions: runFileKey(runId, outputKeys.predictions), history: outputKeys.history, metrics: outputKeys.metrics },
      codeVersion: "synthetic",
      store: storage.uri,
    };
    await storage.write(runManifestKey(runId), JSON.stringify(manifest, null, 1));
  }
  step("registry, experiments and run manifests written");
  return { series: nSeries, forecasts: rows };
}

// From the command line: tsx test/reports/synthetic-store.ts <dir> [options].
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      series: { type: "string", default: "10000" },
      days: { type: "string", default: "21" },
      ticks: { type: "string", default: "7" },
      keys: { type: "string", default: "de35" },
    },
  });
  if (positionals.length !== 1 || !["de35", "strings"].includes(values.keys)) {
    throw new Error("usage: tsx test/reports/synthetic-store.ts <store dir> [--series N] [--days N] [--ticks N] [--keys de35|strings]");
  }
  await writeSyntheticStore(
    positionals[0],
    { series: Number(values.series), days: Number(values.days), ticks: Number(values.ticks), keys: values.keys as "de35" | "strings" },
    (line) => console.error(line),
  );
}
