/**
 * Overview page data: the dataset (from the store), the status at a glance (last run, data
 * freshness against the last run and the build time, 7-day MAPE against the alert threshold,
 * series, validations), the series the latest run did not forecast (stale) or forecast with the
 * baseline (new), and the headline chart, the total over all series observed vs forecast,
 * aggregated here to one row per hour.
 */
import * as aq from "arquero";
import { DAY_MS, HOUR_MS, METRICS_BY_TIME_SCHEMA, ModelRegistry, modelAliasKey, outputKeys, readForecastHistory, type DatasetInfo, type FeatureStore } from "../../src/pipeline/index.js";
import { emit, emptyNotice, redactPaths, runLoader, type ReportContext } from "./lib/context.js";
import { freshness, lastRunState } from "./lib/freshness.js";
import { datasetOut, distinctSeries, runSeriesNotes } from "./lib/series.js";
import { amount, col, extent, featureGroup, frac, listRuns, readOptional } from "./lib/store.js";
import { readQuarantine, readValidations } from "./lib/validation.js";

/** Days of history in the headline chart (before the latest observation). */
const HEADLINE_DAYS = 7;

runLoader("overview", async (ctx) => {
  const { storage, config } = ctx;
  const { store, manifest, info } = await featureGroup(ctx);
  const runs = await listRuns(storage);
  if (!manifest && runs.length === 0) {
    emit(ctx, { empty: emptyNotice("The store is empty", "No data has been ingested and no pipeline run has finished yet") });
    return;
  }
  const successes = runs.flatMap((r) => (r.kind === "succeeded" ? [r.manifest] : []));
  const failures = runs.flatMap((r) => (r.kind === "failed" ? [r.failure] : []));
  const last = successes[successes.length - 1];
  const lastFailure = failures[failures.length - 1];

  // Data extent from the feature-store manifest; series from the newest partition (one small file).
  const parts = Object.values(manifest?.partitions ?? {});
  const firstObs = parts.length ? extent(parts.map((p) => p.minTime))[0] : null;
  const lastObs = parts.length ? extent(parts.map((p) => p.maxTime))[1] : null;
  let series = 0;
  if (lastObs !== null) {
    const latest = await store.read({ start: lastObs - DAY_MS + HOUR_MS, end: lastObs + HOUR_MS });
    series = distinctSeries(latest, info).size;
  }

  const delayDays = last ? delayOf(last.asOf, last.visibleUntil) : config.window.delayDays;

  const metrics = await readOptional(storage, outputKeys.metrics, METRICS_BY_TIME_SCHEMA);
  const m = metrics && metrics.numRows() > 0 ? metrics.slice(metrics.numRows() - 1).object() as Record<string, number | null> : undefined;

  const validations = await readValidations(storage);
  const quarantine = await readQuarantine(storage);
  const latestValidation = validations.results[validations.results.length - 1]?.result;

  const registry = new ModelRegistry(storage);
  let model = null;
  if ((await registry.versions(config.forecast.model)).length > 0) {
    // The production alias when set (the version the runs predict with), else the newest version.
    const hasAlias = await storage.exists(modelAliasKey(config.forecast.model, "production"));
    const meta = await registry.metadata(config.forecast.model, hasAlias ? "production" : "latest");
    model = { name: meta.name, version: meta.version, alias: hasAlias ? "production" : "latest", createdAt: meta.createdAt, mape: frac(meta.metrics.mape), trainingEnd: meta.trainingWindow.end };
  }

  emit(ctx, {
    data: {
      lastRun: last
        ? {
            runId: last.runId,
            asOf: last.asOf,
            visibleUntil: last.visibleUntil,
            startedAt: last.startedAt,
            finishedAt: last.finishedAt,
            trained: last.train.trained,
            modelVersion: last.predict.modelVersion,
            origin: last.predict.origin,
            alerts: last.monitor.alerts,
            series: last.predict.series,
            model: last.predict.model,
            ...runSeriesNotes(last.predict, info),
            // Judged here, against the build time: a run from long ago never shows green.
            state: lastRunState(last.finishedAt, ctx.builtAt, Boolean(lastFailure && lastFailure.at > last.startedAt)),
          }
        : null,
      lastFailure:
        lastFailure && (!last || lastFailure.at > last.startedAt)
          ? { runId: lastFailure.runId, asOf: lastFailure.asOf, step: lastFailure.step, error: redactPaths(lastFailure.error), at: lastFailure.at }
          : null,
      runs: { succeeded: successes.length, failed: failures.length },
      dataset: datasetOut(info),
      data: { first: firstObs, last: lastObs, rows: manifest?.rows ?? 0, series, commit: manifest?.commit ?? 0, delayDays, group: `${config.featureGroup.name}/v${config.featureGroup.version}` },
      freshness: freshness({ last: lastObs, rows: manifest?.rows ?? 0, delayDays, visibleUntil: last?.visibleUntil ?? null, builtAt: ctx.builtAt }),
      monitoring: m
        ? {
            latestHour: m.datetime_utc,
            mape7d: frac(m.mape_7d),
            coverage80_7d: frac(m.coverage_80_7d),
            maxMape7d: config.alerts.maxMape7d,
            minCoverage80: config.alerts.minCoverage80,
          }
        : null,
      validation: {
        total: validations.total,
        read: validations.results.length,
        failed: validations.results.filter((v) => !v.result.success).length,
        latest: latestValidation ? { success: latestValidation.success, time: latestValidation.meta.validation_time, failed: latestValidation.statistics.unsuccessful_expectations } : null,
      },
      quarantined: quarantine.length,
      model,
      headline: lastObs === null ? null : await headline(ctx, store, info, lastObs),
    },
  });
});

/**
 * Hourly totals over every series: observations of the last {@link HEADLINE_DAYS} days, and the
 * freshest forecast of each hour (the latest origin before it) with the sums of the series'
 * interval bounds (a conservative band for the total; the model has no interval of the sum).
 */
async function headline(ctx: ReportContext, store: FeatureStore, info: DatasetInfo, lastObs: number) {
  const start = lastObs - HEADLINE_DAYS * DAY_MS + HOUR_MS;
  const obs = (await store.read({ start, end: lastObs + HOUR_MS }))
    .groupby("datetime_utc")
    .rollup({ v: aq.op.sum("energy_consumption"), n: aq.op.count() })
    .orderby("datetime_utc");
  const history = await readForecastHistory(ctx.storage, info.keys);
  let forecast = null;
  if (history && history.numRows() > 0) {
    const totals = history
      .params({ s: start })
      .filter((d: { datetime_utc: number }, $: { s: number }) => d.datetime_utc >= $.s)
      // Baseline forecasts of new series have no interval: they add their point forecast to both
      // bounds, so the band stays around the total instead of missing those series.
      .derive({
        noband: "d => op.is_finite(d.lower_80) && op.is_finite(d.upper_80) ? 0 : 1",
        lo80: "d => op.is_finite(d.lower_80) ? d.lower_80 : d.prediction",
        hi80: "d => op.is_finite(d.upper_80) ? d.upper_80 : d.prediction",
        lo95: "d => op.is_finite(d.lower_95) ? d.lower_95 : d.prediction",
        hi95: "d => op.is_finite(d.upper_95) ? d.upper_95 : d.prediction",
      })
      .groupby("origin", "datetime_utc")
      .rollup({
        p: aq.op.sum("prediction"),
        l80: aq.op.sum("lo80"),
        u80: aq.op.sum("hi80"),
        l95: aq.op.sum("lo95"),
        u95: aq.op.sum("hi95"),
        n: aq.op.count(),
        noband: aq.op.sum("noband"),
      });
    // The freshest forecast of each hour: the row with the latest origin.
    const freshest = totals
      .groupby("datetime_utc")
      .derive({ latest: aq.op.max("origin") })
      .filter((d: { origin: number; latest: number }) => d.origin === d.latest)
      .ungroup()
      .orderby("datetime_utc");
    forecast = {
      t: col(freshest, "datetime_utc"),
      origin: col(freshest, "origin"),
      p: col(freshest, "p").map(amount),
      l80: col(freshest, "l80").map(amount),
      u80: col(freshest, "u80").map(amount),
      l95: col(freshest, "l95").map(amount),
      u95: col(freshest, "u95").map(amount),
      n: col(freshest, "n"),
      /** Series per hour forecast without an interval (by the baseline). */
      noband: col(freshest, "noband"),
    };
  }
  return { observed: { t: col(obs, "datetime_utc"), v: col(obs, "v").map(amount), n: col(obs, "n") }, forecast };
}

/** The data delay a run used, in days: as-of minus what it could see, to the whole hour below. */
function delayOf(asOf: string, visibleUntil: string): number {
  return Math.floor((Date.parse(asOf) - Date.parse(visibleUntil)) / HOUR_MS) / 24;
}
