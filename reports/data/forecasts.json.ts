/**
 * Forecasts page data, one entry per series on a shared hourly grid: the last week of
 * observations, the latest forecast with its 80/95 % bounds, and the point forecasts of earlier
 * runs over the same window. Capped at {@link MAX_SERIES} series (the largest), so a store with
 * thousands of series still gives a light page.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { DAY_MS, HOUR_MS } from "../../src/pipeline/time/index.js";
import { METRICS_BY_SERIES_SCHEMA } from "../../src/pipeline/monitor/schema.js";
import { outputKeys, PREDICTIONS_SCHEMA } from "../../src/pipeline/predict/schema.js";
import { emit, emptyNotice, runLoader } from "./lib/context.js";
import { areaNames, col, extent, featureGroup, frac, kwh, readOptional } from "./lib/store.js";

/** Days of observations shown before the latest one. */
const WINDOW_DAYS = 7;
/** Series shipped to the page (the largest by consumption in the window). */
const MAX_SERIES = 100;
/** Earlier forecast runs drawn per series (spread over the window). */
const MAX_PAST_ORIGINS = 8;

type Num = number | null;

interface SeriesOut {
  area: number;
  consumerType: number;
  /** Observations on the grid (`grid.start + i` hours). */
  obs: Num[];
  /** 7-day-window total, to order the selector. */
  total: number;
  /** Monitoring MAPE of this series over all scored forecasts (fraction), null when unscored. */
  mape: Num;
  /** The latest forecast, from `latest.origin + 1 h`. */
  fc: { p: Num[]; l80: Num[]; u80: Num[]; l95: Num[]; u95: Num[] } | null;
  /** Earlier runs' point forecasts, each from `origins[o] + 1 h`. */
  past: Array<{ o: number; p: Num[] }>;
}

runLoader("forecasts", async (ctx) => {
  const { storage } = ctx;
  const { store, manifest } = await featureGroup(ctx);
  const parts = Object.values(manifest?.partitions ?? {});
  if (parts.length === 0) {
    emit(ctx, { empty: emptyNotice("No observations yet", "The feature store is empty, so there is nothing to plot") });
    return;
  }
  const lastObs = extent(parts.map((p) => p.maxTime))[1];
  const start = lastObs - WINDOW_DAYS * DAY_MS + HOUR_MS;
  const hours = (lastObs - start) / HOUR_MS + 1;
  const observed = await store.read({ start, end: lastObs + HOUR_MS });

  // Pick the series: the largest by consumption over the window.
  const totals = observed.groupby("area", "consumer_type").rollup({ total: aq.op.sum("energy_consumption") }).orderby(aq.desc("total"));
  const totalSeries = totals.numRows();
  const chosen = totals.slice(0, MAX_SERIES).orderby("area", "consumer_type");
  const index = new Map<string, number>();
  const series: SeriesOut[] = [];
  const areas = col(chosen, "area");
  const types = col(chosen, "consumer_type");
  const sums = col(chosen, "total");
  for (let i = 0; i < chosen.numRows(); i++) {
    index.set(`${areas[i]}:${types[i]}`, i);
    series.push({ area: areas[i], consumerType: types[i], obs: new Array<Num>(hours).fill(null), total: Math.round(sums[i]), mape: null, fc: null, past: [] });
  }
  fillObservations(observed, index, series, start);

  const byseries = await readOptional(storage, outputKeys.metricsBy("series"), METRICS_BY_SERIES_SCHEMA);
  if (byseries) {
    const a = col(byseries, "area"), c = col(byseries, "consumer_type"), m = col<number | null>(byseries, "mape");
    for (let i = 0; i < a.length; i++) {
      const s = index.get(`${a[i]}:${c[i]}`);
      if (s !== undefined) series[s].mape = frac(m[i]);
    }
  }

  const history = await readOptional(storage, outputKeys.history, PREDICTIONS_SCHEMA);
  let latest: { origin: number; horizon: number; model: string; modelVersion: number; runId: string } | null = null;
  let origins: number[] = [];
  if (history && history.numRows() > 0) {
    const allOrigins = Array.from(new Set(col(history, "origin"))).sort((x, y) => x - y);
    const latestOrigin = allOrigins[allOrigins.length - 1];
    const latestRows = history.params({ o: latestOrigin }).filter((d: { origin: number }, $: { o: number }) => d.origin === $.o);
    const horizon = extent(latestRows.array("step") as ArrayLike<number>)[1];
    const first = latestRows.object(0) as { model: string; model_version: number; run_id: string };
    latest = { origin: latestOrigin, horizon, model: first.model, modelVersion: first.model_version, runId: first.run_id };
    fillLatest(latestRows, index, series, horizon);
    // Earlier runs whose forecasts reach into the window, spread evenly, newest kept.
    const earlier = allOrigins.filter((o) => o < latestOrigin && o + horizon * HOUR_MS >= start);
    origins = spread(earlier, MAX_PAST_ORIGINS);
    if (origins.length > 0) {
      const keep = new Set(origins);
      const pastRows = history.params({ keep: origins }).filter((d: { origin: number }, $: { keep: number[] }) => aq.op.includes($.keep, d.origin));
      fillPast(pastRows, index, series, origins, horizon, keep);
    }
  }

  emit(ctx, {
    data: {
      areas: areaNames(ctx),
      grid: { start, hours },
      latest,
      origins,
      totalSeries,
      shownSeries: series.length,
      series,
    },
  });
});

function fillObservations(t: ColumnTable, index: Map<string, number>, series: SeriesOut[], start: number): void {
  const a = col(t, "area"), c = col(t, "consumer_type"), time = col(t, "datetime_utc"), v = col(t, "energy_consumption");
  for (let i = 0; i < a.length; i++) {
    const s = index.get(`${a[i]}:${c[i]}`);
    if (s !== undefined) series[s].obs[(time[i] - start) / HOUR_MS] = kwh(v[i]);
  }
}

function fillLatest(t: ColumnTable, index: Map<string, number>, series: SeriesOut[], horizon: number): void {
  const a = col(t, "area"), c = col(t, "consumer_type"), step = col(t, "step");
  const cols = { p: col(t, "prediction"), l80: col(t, "lower_80"), u80: col(t, "upper_80"), l95: col(t, "lower_95"), u95: col(t, "upper_95") };
  for (let i = 0; i < a.length; i++) {
    const s = index.get(`${a[i]}:${c[i]}`);
    if (s === undefined) continue;
    const fc = (series[s].fc ??= { p: blank(horizon), l80: blank(horizon), u80: blank(horizon), l95: blank(horizon), u95: blank(horizon) });
    const k = step[i] - 1;
    fc.p[k] = kwh(cols.p[i]);
    fc.l80[k] = kwh(cols.l80[i]);
    fc.u80[k] = kwh(cols.u80[i]);
    fc.l95[k] = kwh(cols.l95[i]);
    fc.u95[k] = kwh(cols.u95[i]);
  }
}

function fillPast(t: ColumnTable, index: Map<string, number>, series: SeriesOut[], origins: number[], horizon: number, keep: Set<number>): void {
  const a = col(t, "area"), c = col(t, "consumer_type"), o = col(t, "origin"), step = col(t, "step"), p = col(t, "prediction");
  const slot = new Map(origins.map((x, i) => [x, i]));
  const paths = new Map<string, Num[]>();
  for (let i = 0; i < a.length; i++) {
    if (!keep.has(o[i]) || step[i] > horizon) continue;
    const s = index.get(`${a[i]}:${c[i]}`);
    if (s === undefined) continue;
    const key = `${s}:${o[i]}`;
    let path = paths.get(key);
    if (!path) {
      path = blank(horizon);
      paths.set(key, path);
      series[s].past.push({ o: slot.get(o[i])!, p: path });
    }
    path[step[i] - 1] = kwh(p[i]);
  }
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
