/**
 * Monitoring page data, the small part: the thresholds, the latest 7-day figures, the errors per
 * horizon step, per model version and per run (all as monitoring stored them), the sparkline days
 * and how many series there are. The bulk tables are Arrow files: the errors per target hour
 * (monitoring-hours.arrow) and the worst series with their daily MAPE (monitoring-worst.arrow).
 */
import { BASELINE_MODEL, METRICS_BY_MODEL_SCHEMA, METRICS_BY_ORIGIN_SCHEMA, METRICS_BY_STEP_SCHEMA, metricsBySeriesSchema, outputKeys } from "../../src/pipeline/index.js";
import { emit, emptyNotice, runLoader } from "./lib/context.js";
import { MAX_DAYS, MAX_SERIES, readByTime, sparkDays } from "./lib/monitoring-tables.js";
import { datasetOut } from "./lib/series.js";
import { featureGroup, frac, readOptional } from "./lib/store.js";

runLoader("monitoring", async (ctx) => {
  const { storage, config } = ctx;
  const byTime = await readByTime(storage);
  if (!byTime) {
    emit(ctx, {
      empty: emptyNotice(
        "No monitored forecasts yet",
        "Monitoring scores a forecast once its hours have been measured, so it needs at least two runs a day or more apart",
      ),
    });
    return;
  }
  const byStep = await readOptional(storage, outputKeys.metricsBy("step"), METRICS_BY_STEP_SCHEMA);
  const byModel = await readOptional(storage, outputKeys.metricsBy("model"), METRICS_BY_MODEL_SCHEMA);
  const byOrigin = await readOptional(storage, outputKeys.metricsBy("origin"), METRICS_BY_ORIGIN_SCHEMA);
  const { info } = await featureGroup(ctx);
  const bySeries = await readOptional(storage, outputKeys.metricsBy("series"), metricsBySeriesSchema(info.keys));
  const seriesDay = await storage.exists(outputKeys.metricsBy("series_day"));
  const seriesTotal = bySeries?.numRows() ?? 0;

  emit(ctx, {
    data: {
      dataset: datasetOut(info),
      thresholds: { maxMape7d: config.alerts.maxMape7d, minCoverage80: config.alerts.minCoverage80 },
      hoursTotal: byTime.numRows(),
      hoursShown: MAX_DAYS,
      byStep: byStep
        ? (byStep.objects() as Array<Record<string, number | null>>).map((r) => ({ step: r.step, n: r.n, mape: frac(r.mape), rmspe: frac(r.rmspe), cov80: frac(r.coverage_80), cov95: frac(r.coverage_95) }))
        : [],
      versions: byModel
        ? (byModel.objects() as Array<Record<string, number | string | null>>).map((r) => ({
            model: r.model,
            version: r.model_version,
            baseline: r.model === BASELINE_MODEL,
            n: r.n,
            mape: frac(r.mape as number),
            cov80: frac(r.coverage_80 as number | null),
            firstOrigin: r.first_origin,
            lastOrigin: r.last_origin,
          }))
        : [],
      byOrigin: byOrigin
        ? (byOrigin.objects() as Array<Record<string, number | string | null>>).slice(-MAX_DAYS * 24).map((r) => ({
            origin: r.origin,
            model: r.model,
            version: r.model_version,
            baseline: r.model === BASELINE_MODEL,
            runId: r.run_id,
            n: r.n,
            mape: frac(r.mape as number),
            cov80: frac(r.coverage_80 as number | null),
            cov95: frac(r.coverage_95 as number | null),
          }))
        : [],
      sparkDays: sparkDays(byTime),
      seriesTotal,
      seriesShown: Math.min(MAX_SERIES, seriesTotal),
      // A store monitored before the daily errors were stored: the next monitor writes them.
      dailyNote: bySeries && !seriesDay ? "Daily MAPE per series appears after the next monitoring run (npx energy-forecast run, or npx energy-forecast monitor): this store was monitored by a version that did not store it." : null,
    },
  });
});
