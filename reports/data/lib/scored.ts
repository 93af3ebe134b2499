/**
 * Stored forecasts next to their truth, for the errors the monitoring tables do not break down
 * (per series per day, seasonal-naive on the same hours). The truth is read from the feature
 * store (what the monitoring step joins, too) into a panel, and looked up by index: a join of
 * millions of rows in arquero would need gigabytes for a 10,000-series store.
 */
import { BASELINE_MODEL, HOUR_MS, panelFromTable, readForecastHistory, seriesId, type DatasetInfo, type FeatureStore, type Panel, type Storage } from "../../../src/pipeline/index.js";
import { tableSeriesIds } from "./series.js";
import { extent } from "./store.js";

/** Forecast rows (columns) with their truth, and the truth panel for lagged look-ups. */
export interface Scored {
  n: number;
  series: Int32Array;
  time: Float64Array;
  step: Int16Array;
  prediction: Float64Array;
  /** 1 where the forecast is the baseline's (a series too new for the model), else 0. */
  baseline: Uint8Array;
  /** Truth of the target hour, NaN when not measured yet. */
  y: Float64Array;
  panel: Panel;
  /** The panel value of series `s` at epoch ms `t` (NaN outside the panel). */
  valueAt(s: number, t: number): number;
}

/**
 * Forecasts whose target hour is at or after `from`, with the truth from the feature store of
 * dataset `info`; `lagHours` more hours of truth before the first target are loaded for
 * look-ups. Undefined when there are no forecasts or no truth for them yet.
 */
export async function readScored(
  storage: Storage,
  store: FeatureStore,
  info: DatasetInfo,
  { from = -Infinity, lagHours = 0 }: { from?: number; lagHours?: number } = {},
): Promise<Scored | undefined> {
  const all = await readForecastHistory(storage, info.keys);
  if (!all || all.numRows() === 0) return undefined;
  const history = Number.isFinite(from) ? all.params({ from }).filter((d: { datetime_utc: number }, $: { from: number }) => d.datetime_utc >= $.from) : all;
  const n = history.numRows();
  if (n === 0) return undefined;
  const time = Float64Array.from(history.array("datetime_utc") as ArrayLike<number>);
  const [min, max] = extent(time);
  const truth = await store.read({ start: min - lagHours * HOUR_MS, end: max + HOUR_MS });
  if (truth.numRows() === 0) return undefined;
  const panel = panelFromTable(truth, info.keys, "monitored truth");
  const index = new Map(panel.keys.map((k, i) => [seriesId(k), i]));
  const ids = tableSeriesIds(history, info);
  const series = new Int32Array(n);
  const y = new Float64Array(n);
  const valueAt = (s: number, t: number): number => {
    const i = (t - panel.start) / HOUR_MS;
    return s < 0 || i < 0 || i >= panel.hours ? NaN : panel.values[s][i];
  };
  for (let i = 0; i < n; i++) {
    const s = index.get(ids[i]) ?? -1;
    series[i] = s;
    y[i] = valueAt(s, time[i]);
  }
  return {
    n,
    series,
    time,
    step: Int16Array.from(history.array("step") as ArrayLike<number>),
    prediction: Float64Array.from(history.array("prediction") as ArrayLike<number>),
    baseline: Uint8Array.from(history.array("model") as ArrayLike<string>, (m) => (m === BASELINE_MODEL ? 1 : 0)),
    y,
    panel,
    valueAt,
  };
}
