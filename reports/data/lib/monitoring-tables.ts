/**
 * The Monitoring page's tables, read from what monitoring stored (src/pipeline/monitor): the
 * errors per target hour of the last {@link MAX_DAYS} days, and the {@link MAX_SERIES} worst
 * series with their daily MAPE over the last {@link SPARK_DAYS} days (monitoring's per series and
 * day table). Nothing is recomputed from forecasts and truth here. Shared by the page's loaders
 * (monitoring.json, monitoring-hours.arrow, monitoring-worst.arrow), each of which runs alone.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { DAY_MS, METRICS_BY_TIME_SCHEMA, keyAt, metricsBySeriesDaySchema, metricsBySeriesSchema, outputKeys, rowSeriesIds, type DatasetInfo, type Storage } from "../../../src/pipeline/index.js";
import { keyArrays, seriesRef, tableSeriesIds, type SeriesRef } from "./series.js";
import { col, frac, readOptional } from "./store.js";

/** Days of per-hour metrics shipped. */
export const MAX_DAYS = 60;
/** Series rows shipped (the worst by MAPE). */
export const MAX_SERIES = 300;
/** Days in each series' sparkline. */
export const SPARK_DAYS = 14;

/** Monitoring's per-hour table, or undefined before anything was scored. */
export async function readByTime(storage: Storage): Promise<ColumnTable | undefined> {
  const byTime = await readOptional(storage, outputKeys.metrics, METRICS_BY_TIME_SCHEMA);
  return byTime && byTime.numRows() > 0 ? byTime : undefined;
}

/** The hours of the last {@link MAX_DAYS} days of `byTime`. */
export function recentHours(byTime: ColumnTable): ColumnTable {
  const times = col(byTime, "datetime_utc");
  return byTime.params({ s: times[times.length - 1] - MAX_DAYS * DAY_MS }).filter((d: { datetime_utc: number }, $: { s: number }) => d.datetime_utc > $.s);
}

/** The UTC days of the sparklines: the last {@link SPARK_DAYS} days with scored hours, oldest first. */
export function sparkDays(byTime: ColumnTable): number[] {
  const times = col(byTime, "datetime_utc");
  const lastT = times[times.length - 1];
  const first = Math.max(Math.floor(times[0] / DAY_MS), Math.floor(lastT / DAY_MS) - (SPARK_DAYS - 1)) * DAY_MS;
  const days: number[] = [];
  for (let t = first; t <= lastT; t += DAY_MS) days.push(t);
  return days;
}

/** A row of the series table. */
export interface SeriesErrors extends SeriesRef {
  n: number;
  mape: number | null;
  rmspe: number | null;
  cov80: number | null;
  cov95: number | null;
  /** MAPE of each of the spark days (null: nothing scored that day); empty when monitoring stored no daily errors. */
  daily: Array<number | null>;
}

/**
 * The worst {@link MAX_SERIES} series by MAPE with their daily MAPE on `days`; `total` counts every
 * scored series; `daily` is false when the store has no per series and day table yet (monitored
 * before it existed: the next monitor writes it).
 */
export async function worstSeries(storage: Storage, info: DatasetInfo, days: number[]): Promise<{ series: SeriesErrors[]; total: number; daily: boolean }> {
  const bySeries = await readOptional(storage, outputKeys.metricsBy("series"), metricsBySeriesSchema(info.keys));
  if (!bySeries) return { series: [], total: 0, daily: false };
  const worst = bySeries.orderby(aq.desc("mape"));
  const shown = Math.min(MAX_SERIES, worst.numRows());
  const ids = tableSeriesIds(worst, info);
  const keys = keyArrays(worst, info);
  const [n, mape, rmspe, cov80, cov95] = ["n", "mape", "rmspe", "coverage_80", "coverage_95"].map((name) => col<number | null>(worst, name));
  const daily = await dailyMape(storage, info, new Set(ids.slice(0, shown)), days);
  const series: SeriesErrors[] = [];
  for (let i = 0; i < shown; i++) {
    series.push({
      ...seriesRef(keyAt(keys, i), info),
      n: n[i] as number,
      mape: frac(mape[i]),
      rmspe: frac(rmspe[i]),
      cov80: frac(cov80[i]),
      cov95: frac(cov95[i]),
      daily: daily?.get(ids[i]) ?? [],
    });
  }
  return { series, total: worst.numRows(), daily: daily !== undefined };
}

/** Daily MAPE on `days` of the series in `ids`, from monitoring's per series and day table; undefined when there is none. */
async function dailyMape(storage: Storage, info: DatasetInfo, ids: Set<string>, days: number[]): Promise<Map<string, Array<number | null>> | undefined> {
  const table = await readOptional(storage, outputKeys.metricsBy("series_day"), metricsBySeriesDaySchema(info.keys));
  if (!table) return undefined;
  const rowIds = rowSeriesIds(keyArrays(table, info), table.numRows());
  const day = col(table, "day");
  const mape = col<number | null>(table, "mape");
  const slot = new Map(days.map((d, i) => [d, i]));
  const out = new Map<string, Array<number | null>>();
  rowIds.forEach((id, i) => {
    const k = slot.get(day[i]);
    if (k === undefined || !ids.has(id)) return;
    let values = out.get(id);
    if (!values) out.set(id, (values = new Array<number | null>(days.length).fill(null)));
    values[k] = frac(mape[i]);
  });
  return out;
}
