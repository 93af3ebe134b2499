import type { ColumnTable } from "arquero";
import type { StepContext } from "../core/step.js";
import { FeatureStore } from "../featurestore/store.js";
import { yMonitoringSchema } from "../predict/schema.js";
import { writeTable } from "../predict/outputs.js";
import { outputKeys } from "../storage/layout.js";
import { checkAlerts, type AlertPolicy, type AlertReport } from "./alerts.js";
import type { MonitoringMetrics } from "./metrics.js";
import {
  dayTotal,
  emptyMonitoringState,
  readMonitoringState,
  scoreDay,
  stateTotals,
  writeMonitoringState,
  type DaySums,
  type MonitoringState,
} from "./incremental.js";
import { readWindowDay } from "./upgrade.js";
import { metricsOfDays } from "./window.js";
import { ensurePartitioned, listAllParts, type ForecastsState } from "../history/partitions.js";
import { DEFAULT_HISTORY_WINDOW_DAYS } from "../history/window.js";
import type { KeyColumn } from "../series/key.js";
import type { Storage } from "../storage/storage.js";
import { DAY_MS } from "../time/index.js";
import {
  METRICS_BY_MODEL_SCHEMA,
  METRICS_BY_ORIGIN_SCHEMA,
  METRICS_BY_STEP_SCHEMA,
  METRICS_BY_TIME_SCHEMA,
  METRICS_VS_NAIVE_SCHEMA,
  metricsBySeriesDaySchema,
  metricsBySeriesSchema,
} from "./schema.js";

/** What a monitoring run scores and checks. */
export interface MonitorOptions {
  /** Truth at or after this instant (epoch ms) is not visible yet: the run's as-of minus the data delay. */
  visibleUntil: number;
  /** The thresholds that raise alerts. */
  policy: AlertPolicy;
  /** Days of target hours the compacted metrics files hold (HISTORY_WINDOW_DAYS, default 30). */
  windowDays?: number;
}

/** What a monitoring run measured. */
export interface MonitorReport extends AlertReport {
  /** Forecast rows in the history, and how many of them have their truth. */
  forecasts: number;
  scored: number;
  /** Pooled MAPE over every scored forecast (fraction), null when none. */
  mape: number | null;
  coverage80: number | null;
}

/**
 * Scores the forecast history against the truth visible before `visibleUntil`, incrementally
 * (monitor/incremental.ts: only the days whose truth arrived since the last run), and writes the
 * compacted window (the last `windowDays` days of target hours) as `metrics_monitoring*.parquet`
 * (with the per series and day errors and the comparison with the seasonal-naive rules the report
 * shows) and `y_monitoring.parquet`. Day files of the window written by an older version are
 * scored again first, once (monitor/upgrade.ts). Without a history yet (first run) it writes nothing and reports zero
 * forecasts. Migrates a single-file history to partitions first (history/partitions.ts). The
 * history is never read whole.
 */
export async function monitor(ctx: StepContext, options: MonitorOptions): Promise<{ metrics?: MonitoringMetrics; report: MonitorReport }> {
  const { storage, group } = ctx;
  const { visibleUntil, policy } = options;
  const store = new FeatureStore(storage, group);
  const info = await store.info();
  const forecasts = await ensurePartitioned(storage, info.keys);
  if (forecasts.rows === 0) {
    return {
      report: { forecasts: 0, scored: 0, mape: null, coverage80: null, latest: null, mape7d: null, coverage80_7d: null, alerts: [] },
    };
  }
  const state = await scoreIncrementally(storage, store, info.keys, forecasts, visibleUntil);
  const windowDays = options.windowDays ?? DEFAULT_HISTORY_WINDOW_DAYS;
  const lastDay = Math.floor((Math.min(visibleUntil, state.scoredUntil ?? visibleUntil) - 1) / DAY_MS) * DAY_MS;
  const from = lastDay - (windowDays - 1) * DAY_MS;
  const days: DaySums[] = [];
  let upgraded = false;
  for (let d = from - 7 * DAY_MS; d <= lastDay; d += DAY_MS) {
    const read = await readWindowDay(storage, store, info.keys, forecasts, d, state.scoredUntil ?? visibleUntil);
    if (!read) continue;
    days.push(read.sums);
    if (read.upgraded) {
      state.days[read.sums.day] = dayTotal(read.sums);
      upgraded = true;
    }
  }
  if (upgraded) await writeMonitoringState(storage, state);
  const m = metricsOfDays(days, info.keys, from);
  const metrics: MonitoringMetrics = { byTime: m.byTime, bySeries: m.bySeries, byStep: m.byStep, byModel: m.byModel, byOrigin: m.byOrigin };
  const writes: Array<[string, ColumnTable, typeof METRICS_BY_TIME_SCHEMA]> = [
    [outputKeys.yMonitoring, m.y, yMonitoringSchema(info.keys)],
    [outputKeys.metricsBy("series"), metrics.bySeries, metricsBySeriesSchema(info.keys)],
    [outputKeys.metricsBy("series_day"), m.bySeriesDay, metricsBySeriesDaySchema(info.keys)],
    [outputKeys.metricsBy("step"), metrics.byStep, METRICS_BY_STEP_SCHEMA],
    [outputKeys.metricsVsNaive, m.vsNaive, METRICS_VS_NAIVE_SCHEMA],
    [outputKeys.metricsBy("model"), metrics.byModel, METRICS_BY_MODEL_SCHEMA],
    [outputKeys.metricsBy("origin"), metrics.byOrigin, METRICS_BY_ORIGIN_SCHEMA],
    [outputKeys.metrics, metrics.byTime, METRICS_BY_TIME_SCHEMA],
  ];
  for (const [key, table, schema] of writes) await writeTable(storage, key, table, schema);
  const totals = stateTotals(state);
  return {
    metrics,
    report: {
      forecasts: forecasts.rows,
      scored: totals.scored,
      mape: totals.mape,
      coverage80: totals.coverage80,
      ...checkAlerts(metrics.byTime, policy),
    },
  };
}

/**
 * Scores the days whose truth arrived since the last scored hour (and the days marked dirty),
 * from the first forecast's day when the store was never scored, and records the new state.
 */
export async function scoreIncrementally(
  storage: Storage,
  store: FeatureStore,
  keys: readonly KeyColumn[],
  forecasts: ForecastsState,
  visibleUntil: number,
): Promise<MonitoringState> {
  let state = await readMonitoringState(storage);
  let start: number;
  if (!state || state.scoredUntil === null) {
    state = emptyMonitoringState();
    const parts = await listAllParts(storage);
    if (parts.length === 0) return state;
    start = parts[0].origin;
  } else {
    start = Math.min(state.scoredUntil, state.dirtyFrom ?? Infinity);
  }
  const lastDay = Math.floor((visibleUntil - 1) / DAY_MS) * DAY_MS;
  for (let d = Math.floor(start / DAY_MS) * DAY_MS; d <= lastDay; d += DAY_MS) {
    const sums = await scoreDay(storage, store, keys, forecasts, d, visibleUntil);
    if (sums) state.days[sums.day] = dayTotal(sums);
  }
  state.scoredUntil = visibleUntil;
  state.dirtyFrom = null;
  await writeMonitoringState(storage, state);
  return state;
}
