/**
 * Forecasts page data, one entry per series (of whatever key columns the store's dataset has) on
 * a shared hourly grid: the last week of observations, the latest forecast with its 80/95 %
 * bounds and model, and the point forecasts of earlier runs over the same window. Capped at
 * {@link MAX_SERIES} series (the largest), so a store with thousands of series still gives a
 * light page.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { BASELINE_MODEL, DAY_MS, HOUR_MS, compareKeys, metricsBySeriesSchema, outputKeys, readForecastHistory, type SeriesKey } from "../../src/pipeline/index.js";
import { emit, emptyNotice, runLoader } from "./lib/context.js";
import { datasetOut, distinctSeries, runSeriesNotes, seriesRef, tableSeriesIds, type SeriesRef } from "./lib/series.js";
import { amount, col, extent, featureGroup, frac, listRuns, readOptional } from "./lib/store.js";

/** Days of observations shown before the latest one. */
const WINDOW_DAYS = 7;
/** Series shipped to the page (the largest by their values in the window). */
const MAX_SERIES = 100;
/** Earlier forecast runs drawn per series (spread over the window). */
const MAX_PAST_ORIGINS = 8;

type Num = number | null;

interface SeriesOut extends SeriesRef {
  /** Observations on the grid (`grid.start + i` hours). */
  obs: Num[];
  /** 7-day-window total, to order the selector. */
  total: number;
  /** Monitoring MAPE of this series over all scored forecasts (fraction), null when unscored. */
  mape: Num;
  /** The latest forecast, from `latest.origin + 1 h`; null when the latest run did not forecast this series (stale). */
  fc: { p: Num[]; l80: Num[]; u80: Num[]; l95: Num[]; u95: Num[] } | null;
  /** The model of the latest forecast (the baseline's name for a series too new for the model). */
  model: string | null;
  /** Earlier runs' point forecasts, each from `origins[o] + 1 h`. */
  past: Array<{ o: number; p: Num[] }>;
}

runLoader("forecasts", async (ctx) => {
  const { storage } = ctx;
  const { store, manifest, info } = await featureGroup(ctx);
  const parts = Object.values(manifest?.partitions ?? {});
  if (parts.length === 0) {
    emit(ctx, { empty: emptyNotice("No observations yet", "The feature store is empty, so there is nothing to plot") });
    return;
  }
  const lastObs = extent(parts.map((p) => p.maxTime))[1];
  const start = lastObs - WINDOW_DAYS * DAY_MS + HOUR_MS;
  const hours = (lastObs - start) / HOUR_MS + 1;
  const observed = await store.read({ start, end: lastObs + HOUR_MS });

  // Pick the series: the largest by their total over the window, then in key order.
  const keys = distinctSeries(observed, info);
  const totals = new Map<string, number>();
  const ids = tableSeriesIds(observed, info);
  const values = col(observed, "energy_consumption");
  const times = col(observed, "datetime_utc");
  ids.forEach((id, i) => totals.set(id, (totals.get(id) ?? 0) + (Number.isFinite(values[i]) ? values[i] : 0)));
  const chosen = Array.from(keys)
    .sort(([a], [b]) => totals.get(b)! - totals.get(a)!)
    .slice(0, MAX_SERIES)
    .sort(([, a], [, b]) => compareKeys(a, b));
  const index = new Map<string, number>();
  const series: SeriesOut[] = chosen.map(([id, key]: [string, SeriesKey], i) => {
    index.set(id, i);
    return { ...seriesRef(key, info), obs: new Array<Num>(hours).fill(null), total: amount(totals.get(id)) ?? 0, mape: null, fc: null, model: null, past: [] };
  });
  ids.forEach((id, i) => {
    const s = index.get(id);
    if (s !== undefined) series[s].obs[(times[i] - start) / HOUR_MS] = amount(values[i]);
  });

  const bySeries = await readOptional(storage, outputKeys.metricsBy("series"), metricsBySeriesSchema(info.keys));
  if (bySeries) {
    const m = col<number | null>(bySeries, "mape");
    tableSeriesIds(bySeries, info).forEach((id, i) => {
      const s = index.get(id);
      if (s !== undefined) series[s].mape = frac(m[i]);
    });
  }

  const history = await readForecastHistory(storage, info.keys);
  let latest: { origin: number; horizon: number; model: string; modelVersion: number; runId: string } | null = null;
  let origins: number[] = [];
  if (history && history.numRows() > 0) {
    const allOrigins = Array.from(new Set(col(history, "origin"))).sort((x, y) => x - y);
    const latestOrigin = allOrigins[allOrigins.length - 1];
    const latestRows = history.params({ o: latestOrigin }).filter((d: { origin: number }, $: { o: number }) => d.origin === $.o);
    const horizon = extent(latestRows.array("step") as ArrayLike<number>)[1];
    // The run's model: any row's but a baseline one (new series are forecast by the baseline).
    const rows = latestRows.objects() as Array<{ model: string; model_version: number; run_id: string }>;
    const first = rows.find((r) => r.model !== BASELINE_MODEL) ?? rows[0];
    latest = { origin: latestOrigin, horizon, model: first.model, modelVersion: first.model_version, runId: first.run_id };
    fillLatest(latestRows, tableSeriesIds(latestRows, info), index, series, horizon);
    // Earlier runs whose forecasts reach into the window, spread evenly, newest kept.
    const earlier = allOrigins.filter((o) => o < latestOrigin && o + horizon * HOUR_MS >= start);
    origins = spread(earlier, MAX_PAST_ORIGINS);
    if (origins.length > 0) {
      const pastRows = history.params({ keep: origins }).filter((d: { origin: number }, $: { keep: number[] }) => aq.op.includes($.keep, d.origin));
      fillPast(pastRows, tableSeriesIds(pastRows, info), index, series, origins, horizon);
    }
  }

  // The latest run's stale and baseline series, when it recorded them.
  const runs = await listRuns(storage);
  const lastRun = runs.flatMap((r) => (r.kind === "succeeded" ? [r.manifest] : [])).pop();
  const notes = lastRun && latest && Date.parse(lastRun.predict.origin) === latest.origin ? runSeriesNotes(lastRun.predict, info) : null;

  emit(ctx, {
    data: {
      dataset: datasetOut(info),
      grid: { start, hours },
      latest,
      baselineModel: BASELINE_MODEL,
      notes,
      origins,
      totalSeries: keys.size,
      shownSeries: series.length,
      series,
    },
  });
});

function fillLatest(t: ColumnTable, ids: string[], index: Map<string, number>, series: SeriesOut[], horizon: number): void {
  const step = col(t, "step");
  const model = col<string>(t, "model");
  const cols = { p: col(t, "prediction"), l80: col(t, "lower_80"), u80: col(t, "upper_80"), l95: col(t, "lower_95"), u95: col(t, "upper_95") };
  ids.forEach((id, i) => {
    const s = index.get(id);
    if (s === undefined) return;
    const fc = (series[s].fc ??= { p: blank(horizon), l80: blank(horizon), u80: blank(horizon), l95: blank(horizon), u95: blank(horizon) });
    series[s].model = model[i];
    const k = step[i] - 1;
    fc.p[k] = amount(cols.p[i]);
    fc.l80[k] = amount(cols.l80[i]);
    fc.u80[k] = amount(cols.u80[i]);
    fc.l95[k] = amount(cols.l95[i]);
    fc.u95[k] = amount(cols.u95[i]);
  });
}

function fillPast(t: ColumnTable, ids: string[], index: Map<string, number>, series: SeriesOut[], origins: number[], horizon: number): void {
  const o = col(t, "origin"), step = col(t, "step"), p = col(t, "prediction");
  const slot = new Map(origins.map((x, i) => [x, i]));
  const paths = new Map<string, Num[]>();
  ids.forEach((id, i) => {
    if (!slot.has(o[i]) || step[i] > horizon) return;
    const s = index.get(id);
    if (s === undefined) return;
    const key = `${s}:${o[i]}`;
    let path = paths.get(key);
    if (!path) {
      path = blank(horizon);
      paths.set(key, path);
      series[s].past.push({ o: slot.get(o[i])!, p: path });
    }
    path[step[i] - 1] = amount(p[i]);
  });
}

function blank(n: number): Num[] {
  return new Array<Num>(n).fill(null);
}

/** At most `n` items of a sorted list, evenly spread, always including the last. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const out: T[] = [];
  for (let k = n - 1; k >= 0; k--) out.push(items[items.length - 1 - Math.round((k * (items.length - 1)) / (n - 1))]);
  return out;
}
