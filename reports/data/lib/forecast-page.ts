/**
 * The Forecasts page's data, for stores of any size: every series of the last week as a summary
 * row (key, label, week total, MAPE overall and over the last {@link RECENT_DAYS} days, the latest
 * run's model and point forecast), and the drawn detail (a week of observations, the latest
 * forecast with its bounds, earlier runs) only for a bounded set: every series while there are at
 * most {@link MAX_DETAIL}, else the {@link WORST} worst by recent MAPE; plus the totals over all
 * series and over each value of the first key column. Shared by the page's three loaders
 * (forecasts.json, forecast-series.arrow, forecast-detail.arrow), each of which runs alone.
 *
 * Page weight, per series: the summary row and its latest point forecast (about 70 bytes plus 4
 * per hour of the horizon); detail only for the bounded set. With 10,000 series and a 24-hour
 * horizon the page's data is 1.6 MB (test/reports/report-width.test.ts); beyond
 * {@link LATEST_VALUES_CAP} forecast values in all, the latest point forecast is shipped for the
 * detailed series only, so the page stays under 2 MB up to about 20,000 series.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import {
  BASELINE_MODEL,
  DAY_MS,
  HOUR_MS,
  compareKeys,
  metricsBySeriesDaySchema,
  metricsBySeriesSchema,
  outputKeys,
  readForecastHistory,
  rowSeriesIds,
  type DatasetInfo,
  type SeriesKey,
} from "../../../src/pipeline/index.js";
import type { ReportContext } from "./context.js";
import { TrackBuilder, type Track } from "./forecast-tracks.js";
import { datasetOut, distinctSeries, keyArrays, runSeriesNotes, seriesRef, tableSeriesIds, type DatasetOut, type SeriesRef } from "./series.js";
import { amount, col, extent, featureGroup, frac, listRuns, readOptional } from "./store.js";

/** Days of observations shown before the latest one. */
export const WINDOW_DAYS = 7;
/** Up to this many series, every one is drawn in detail. */
export const MAX_DETAIL = 100;
/** Beyond {@link MAX_DETAIL} series, the worst this many by recent MAPE are drawn in detail. */
export const WORST = 12;
/** Days of the recent MAPE. */
export const RECENT_DAYS = 7;
/** Earlier forecast runs drawn (spread over the window). */
export const MAX_PAST_ORIGINS = 8;
/** Totals per value of the first key column while it has at most this many values. */
export const MAX_GROUPS = 12;
/** Most latest-forecast values (series x horizon) shipped for every series. */
export const LATEST_VALUES_CAP = 300_000;

type Num = number | null;

/** A series' summary row. */
export interface SeriesSummary extends SeriesRef {
  id: string;
  /** Week total of its observations (rounded). */
  total: number;
  /** MAPE of all its scored forecasts, and of those of the last {@link RECENT_DAYS} scored days (fractions). */
  mape: Num;
  recentMape: Num;
  /** Model of its latest forecast (the baseline's name for a new series); null: not forecast by the latest run (stale). */
  model: string | null;
  /** Its latest point forecast by step; null when not forecast, or not shipped (see {@link LATEST_VALUES_CAP}). */
  forecast: Num[] | null;
  /** Row of its detail in {@link ForecastPage.detail}, or -1. */
  detail: number;
}

/** A drawn track with its label: a detailed series (`series`: its summary row) or a total (`series` -1). */
export interface DetailRow extends Track {
  series: number;
  label: string;
}

/** Everything the page's loaders ship. */
export interface ForecastPage {
  dataset: DatasetOut;
  info: DatasetInfo;
  grid: { start: number; hours: number };
  latest: { origin: number; horizon: number; model: string; modelVersion: number; runId: string } | null;
  origins: number[];
  series: SeriesSummary[];
  detail: DetailRow[];
  /** Detail rows that are totals (they come first). */
  totals: number;
  /** Whether every series is detailed, else the worst. */
  detailAll: boolean;
  /** Whether every series' latest point forecast is shipped, else the detailed ones'. */
  latestAll: boolean;
  /** First day of the recent MAPE; null when monitoring stored no daily errors (the overall MAPE ranks then). */
  recentFrom: number | null;
  notes: ReturnType<typeof runSeriesNotes> | null;
}

/** The page's data, or undefined when the feature store is empty. */
export async function forecastPage(ctx: ReportContext): Promise<ForecastPage | undefined> {
  const { storage } = ctx;
  const { store, manifest, info } = await featureGroup(ctx);
  const parts = Object.values(manifest?.partitions ?? {});
  if (parts.length === 0) return undefined;
  const lastObs = extent(parts.map((p) => p.maxTime))[1];
  const start = lastObs - WINDOW_DAYS * DAY_MS + HOUR_MS;
  const hours = (lastObs - start) / HOUR_MS + 1;
  const observed = await store.read({ start, end: lastObs + HOUR_MS });
  const observedIds = tableSeriesIds(observed, info);

  // Every series of the week, in key order, with its week total and errors.
  const totals = new Map<string, number>();
  const values = col<number | null>(observed, "energy_consumption");
  observedIds.forEach((id, i) => totals.set(id, (totals.get(id) ?? 0) + (Number.isFinite(values[i]) ? (values[i] as number) : 0)));
  const keys = Array.from(distinctSeries(observed, info)).sort(([, a], [, b]) => compareKeys(a, b));
  const mapes = await seriesMape(ctx, info);
  const recent = await recentMape(ctx, info);
  const series: SeriesSummary[] = keys.map(([id, key]: [string, SeriesKey]) => ({
    id,
    ...seriesRef(key, info),
    total: amount(totals.get(id)) ?? 0,
    mape: frac(mapes.get(id)),
    recentMape: frac(recent?.mape.get(id)),
    model: null,
    forecast: null,
    detail: -1,
  }));
  const index = new Map(series.map((s, i) => [s.id, i]));

  // The detailed series: all of them, or the worst by recent MAPE (overall MAPE without daily errors).
  const detailAll = series.length <= MAX_DETAIL;
  const rank = (s: SeriesSummary) => (recent ? s.recentMape : s.mape) ?? -Infinity;
  const detailed = detailAll ? series.map((_, i) => i) : series.map((_, i) => i).sort((a, b) => rank(series[b]) - rank(series[a]) || a - b).slice(0, WORST);

  // Totals: over every series, and over each value of the first key column.
  const groups = totalGroups(series, info);
  const detail: DetailRow[] = [
    ...groups.map((g) => ({ series: -1, label: g.label, obs: [], fc: null, past: [] })),
    ...detailed.map((s) => ({ series: s, label: series[s].label, obs: [], fc: null, past: [] })),
  ];
  detailed.forEach((s, k) => (series[s].detail = groups.length + k));

  const history = await readForecastHistory(storage, info.keys);
  let latest: ForecastPage["latest"] = null;
  let origins: number[] = [];
  let latestRows: ColumnTable | undefined;
  let pastRows: ColumnTable | undefined;
  if (history && history.numRows() > 0) {
    const allOrigins = Array.from(new Set(col(history, "origin"))).sort((x, y) => x - y);
    const latestOrigin = allOrigins[allOrigins.length - 1];
    const rows = history.params({ o: latestOrigin }).filter((d: { origin: number }, $: { o: number }) => d.origin === $.o);
    latestRows = rows;
    const horizon = extent(rows.array("step") as ArrayLike<number>)[1];
    // The run's model: any row's but a baseline one (new series are forecast by the baseline).
    const models = col<string>(rows, "model");
    const first = Math.max(0, models.findIndex((m) => m !== BASELINE_MODEL));
    latest = { origin: latestOrigin, horizon, model: models[first], modelVersion: col(rows, "model_version")[first], runId: col<string>(rows, "run_id")[first] };
    // Earlier runs whose forecasts reach into the window, spread evenly, newest kept.
    origins = spread(
      allOrigins.filter((o) => o < latestOrigin && o + horizon * HOUR_MS >= start),
      MAX_PAST_ORIGINS,
    );
    if (origins.length > 0) {
      pastRows = history.params({ keep: origins }).filter((d: { origin: number }, $: { keep: number[] }) => aq.op.includes($.keep, d.origin));
    }
  }
  const horizon = latest?.horizon ?? 0;
  const latestAll = series.length * horizon <= LATEST_VALUES_CAP;

  const trackOf = (id: string) => {
    const s = index.get(id);
    return s === undefined || series[s].detail < 0 ? undefined : series[s].detail - groups.length;
  };
  const memberOf = series.map((s) => groups.flatMap((g, k) => (g.members(s) ? [k] : [])));
  const builder = new TrackBuilder({ start, hours, horizon, origins }, detailed.length, groups.length, trackOf, (id) => {
    const s = index.get(id);
    return s === undefined ? [] : memberOf[s];
  });
  builder.observe(observed, observedIds);
  if (latestRows) {
    const ids = tableSeriesIds(latestRows, info);
    builder.latest(latestRows, ids);
    latestForecasts(latestRows, ids, index, series, horizon, latestAll);
  }
  if (pastRows) builder.earlier(pastRows, tableSeriesIds(pastRows, info));
  const sumTracks = builder.sumTracks();
  const seriesTracks = builder.seriesTracks();
  detail.forEach((row, k) => Object.assign(row, k < groups.length ? sumTracks[k] : seriesTracks[k - groups.length]));

  // The latest run's stale and baseline series, when it recorded them.
  const runs = await listRuns(storage);
  const lastRun = runs.flatMap((r) => (r.kind === "succeeded" ? [r.manifest] : [])).pop();
  const notes = lastRun && latest && Date.parse(lastRun.predict.origin) === latest.origin ? runSeriesNotes(lastRun.predict, info) : null;

  return {
    dataset: datasetOut(info),
    info,
    grid: { start, hours },
    latest,
    origins,
    series,
    detail,
    totals: groups.length,
    detailAll,
    latestAll,
    recentFrom: recent?.from ?? null,
    notes,
  };
}

/** The model and point forecast of every series in the latest run's rows (point forecasts only while `all`, else for detailed series). */
function latestForecasts(rows: ColumnTable, ids: string[], index: Map<string, number>, series: SeriesSummary[], horizon: number, all: boolean): void {
  const step = col(rows, "step");
  const model = col<string>(rows, "model");
  const p = col<number | null>(rows, "prediction");
  ids.forEach((id, i) => {
    const s = index.get(id);
    if (s === undefined || step[i] < 1 || step[i] > horizon) return;
    const summary = series[s];
    summary.model = model[i];
    if (!all && summary.detail < 0) return;
    (summary.forecast ??= new Array<Num>(horizon).fill(null))[step[i] - 1] = amount(p[i]);
  });
}

/** Each series' MAPE over all its scored forecasts (monitoring's per-series table). */
async function seriesMape(ctx: ReportContext, info: DatasetInfo): Promise<Map<string, number | null>> {
  const table = await readOptional(ctx.storage, outputKeys.metricsBy("series"), metricsBySeriesSchema(info.keys));
  const out = new Map<string, number | null>();
  if (!table) return out;
  const mape = col<number | null>(table, "mape");
  tableSeriesIds(table, info).forEach((id, i) => out.set(id, mape[i]));
  return out;
}

/**
 * Each series' MAPE over the last {@link RECENT_DAYS} days monitoring scored, pooled by forecasts
 * from its per series and day table; undefined when the store has none (monitored before it existed).
 */
async function recentMape(ctx: ReportContext, info: DatasetInfo): Promise<{ from: number; mape: Map<string, number | null> } | undefined> {
  const table = await readOptional(ctx.storage, outputKeys.metricsBy("series_day"), metricsBySeriesDaySchema(info.keys));
  if (!table) return undefined;
  const day = col(table, "day");
  const n = col(table, "n");
  const mape = col<number | null>(table, "mape");
  const from = (day.length ? extent(day)[1] : 0) - (RECENT_DAYS - 1) * DAY_MS;
  const sums = new Map<string, { e: number; n: number }>();
  rowSeriesIds(keyArrays(table, info), table.numRows()).forEach((id, i) => {
    const m = mape[i];
    if (day[i] < from || m === null || !Number.isFinite(m)) return;
    const s = sums.get(id) ?? { e: 0, n: 0 };
    s.e += m * n[i];
    s.n += n[i];
    sums.set(id, s);
  });
  return { from, mape: new Map(Array.from(sums, ([id, s]) => [id, s.n > 0 ? s.e / s.n : null])) };
}

/** The totals drawn: all series, then one per value of the first key column (when there are several key columns and few values). */
function totalGroups(series: SeriesSummary[], info: DatasetInfo): Array<{ label: string; members: (s: SeriesSummary) => boolean }> {
  const all = { label: `All ${series.length.toLocaleString("en-US")} series`, members: () => true };
  if (info.keys.length < 2) return [all];
  const values = new Map<string, { value: unknown; title: string }>();
  for (const s of series) if (!values.has(String(s.key[0]))) values.set(String(s.key[0]), { value: s.key[0], title: s.parts[0] });
  if (values.size < 2 || values.size > MAX_GROUPS) return [all];
  const rest = info.keys
    .slice(1)
    .map((k) => k.name)
    .join(" × ");
  return [all, ...Array.from(values.values(), ({ value, title }) => ({ label: `${title} · all ${rest}`, members: (s: SeriesSummary) => s.key[0] === value }))];
}

/** At most `n` items of a sorted list, evenly spread, always including the last. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const out: T[] = [];
  for (let k = n - 1; k >= 0; k--) out.push(items[items.length - 1 - Math.round((k * (items.length - 1)) / (n - 1))]);
  return out;
}
