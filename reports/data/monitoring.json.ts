/**
 * Monitoring page data: the stored monitoring tables (per target hour, per horizon step, per model
 * version, per run) and, per series, the overall errors plus a daily MAPE for the sparkline,
 * worst series first. Hourly rows are capped to the last {@link MAX_DAYS} days and the series
 * table to {@link MAX_SERIES} rows, so the page stays light for any store.
 */
import * as aq from "arquero";
import { BASELINE_MODEL, DAY_MS, METRICS_BY_MODEL_SCHEMA, METRICS_BY_ORIGIN_SCHEMA, METRICS_BY_STEP_SCHEMA, METRICS_BY_TIME_SCHEMA, keyAt, metricsBySeriesSchema, outputKeys, seriesId } from "../../src/pipeline/index.js";
import { emit, emptyNotice, runLoader } from "./lib/context.js";
import { readScored } from "./lib/scored.js";
import { datasetOut, keyArrays, seriesRef, tableSeriesIds } from "./lib/series.js";
import { col, featureGroup, frac, readOptional } from "./lib/store.js";

/** Days of per-hour metrics shipped. */
const MAX_DAYS = 60;
/** Series rows shipped (the worst by MAPE). */
const MAX_SERIES = 300;
/** Days in each series' sparkline. */
const SPARK_DAYS = 14;

runLoader("monitoring", async (ctx) => {
  const { storage, config } = ctx;
  const byTime = await readOptional(storage, outputKeys.metrics, METRICS_BY_TIME_SCHEMA);
  if (!byTime || byTime.numRows() === 0) {
    emit(ctx, {
      empty: emptyNotice(
        "No monitored forecasts yet",
        "Monitoring scores a forecast once its hours have been measured, so it needs at least two runs a day or more apart",
      ),
    });
    return;
  }
  const times = col(byTime, "datetime_utc");
  const lastT = times[times.length - 1];
  const recent = byTime.params({ s: lastT - MAX_DAYS * DAY_MS }).filter((d: { datetime_utc: number }, $: { s: number }) => d.datetime_utc > $.s);

  const byStep = await readOptional(storage, outputKeys.metricsBy("step"), METRICS_BY_STEP_SCHEMA);
  const byModel = await readOptional(storage, outputKeys.metricsBy("model"), METRICS_BY_MODEL_SCHEMA);
  const byOrigin = await readOptional(storage, outputKeys.metricsBy("origin"), METRICS_BY_ORIGIN_SCHEMA);
  const { store, info } = await featureGroup(ctx);
  const bySeries = await readOptional(storage, outputKeys.metricsBy("series"), metricsBySeriesSchema(info.keys));

  // Daily MAPE per series for the sparklines, from the forecasts and their truth.
  const sparkStart = Math.max(Math.floor(times[0] / DAY_MS), Math.floor(lastT / DAY_MS) - (SPARK_DAYS - 1)) * DAY_MS;
  const days: number[] = [];
  for (let t = sparkStart; t <= lastT; t += DAY_MS) days.push(t);
  const daily = new Map<string, Array<number | null>>();
  const scored = await readScored(storage, store, info, { from: sparkStart });
  if (scored) {
    const sums = new Map<number, { ape: Float64Array; n: Float64Array }>();
    for (let i = 0; i < scored.n; i++) {
      const y = scored.y[i];
      if (!Number.isFinite(y) || y === 0 || scored.series[i] < 0) continue;
      let acc = sums.get(scored.series[i]);
      if (!acc) sums.set(scored.series[i], (acc = { ape: new Float64Array(days.length), n: new Float64Array(days.length) }));
      const day = Math.floor((scored.time[i] - sparkStart) / DAY_MS);
      acc.ape[day] += Math.abs((y - scored.prediction[i]) / y);
      acc.n[day]++;
    }
    for (const [s, acc] of sums) {
      daily.set(seriesId(scored.panel.keys[s]), Array.from(acc.ape, (a, d) => (acc.n[d] > 0 ? frac(a / acc.n[d]) : null)));
    }
  }

  // Worst first; each row's key read from the dataset's own key columns.
  const worst = bySeries ? bySeries.orderby(aq.desc("mape")) : undefined;
  const series = [];
  if (worst) {
    const ids = tableSeriesIds(worst, info);
    const keys = keyArrays(worst, info);
    const [n, mape, rmspe, cov80, cov95] = ["n", "mape", "rmspe", "coverage_80", "coverage_95"].map((name) => col<number | null>(worst, name));
    for (let i = 0; i < Math.min(MAX_SERIES, ids.length); i++) {
      series.push({
        ...seriesRef(keyAt(keys, i), info),
        n: n[i],
        mape: frac(mape[i]),
        rmspe: frac(rmspe[i]),
        cov80: frac(cov80[i]),
        cov95: frac(cov95[i]),
        daily: daily.get(ids[i]) ?? [],
      });
    }
  }

  emit(ctx, {
    data: {
      dataset: datasetOut(info),
      thresholds: { maxMape7d: config.alerts.maxMape7d, minCoverage80: config.alerts.minCoverage80 },
      byTime: {
        t: col(recent, "datetime_utc"),
        n: col(recent, "n"),
        mape: col(recent, "mape").map(frac),
        mape7d: col(recent, "mape_7d").map(frac),
        cov80: col<number | null>(recent, "coverage_80").map(frac),
        cov95: col<number | null>(recent, "coverage_95").map(frac),
        cov80_7d: col<number | null>(recent, "coverage_80_7d").map(frac),
      },
      hoursTotal: byTime.numRows(),
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
      sparkDays: days,
      series,
      seriesTotal: worst?.numRows() ?? 0,
    },
  });
});
