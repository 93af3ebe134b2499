import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { FeatureStore, type FeatureGroupRef } from "../featurestore/store.js";
import { predictionsSchema, yMonitoringSchema } from "../predict/schema.js";
import { keyNames } from "../series/key.js";
import { readTableIfExists, writeTable } from "../predict/outputs.js";
import { outputKeys } from "../storage/layout.js";
import type { Storage } from "../storage/storage.js";
import { checkAlerts, type AlertPolicy, type AlertReport } from "./alerts.js";
import { actualsForForecasts, joinActuals } from "./join.js";
import { monitoringMetrics, type MonitoringMetrics } from "./metrics.js";
import {
  METRICS_BY_MODEL_SCHEMA,
  METRICS_BY_ORIGIN_SCHEMA,
  METRICS_BY_STEP_SCHEMA,
  METRICS_BY_TIME_SCHEMA,
  metricsBySeriesSchema,
} from "./schema.js";

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
 * Scores the stored forecast history against the truth visible before `visibleUntil` and
 * writes `metrics_monitoring*.parquet` and `y_monitoring.parquet`. Without a history yet (first
 * run) it writes nothing and reports zero forecasts. Returns the history it read, for the
 * prediction step to extend.
 */
export async function monitor(
  storage: Storage,
  group: FeatureGroupRef,
  visibleUntil: number,
  policy: AlertPolicy,
): Promise<{ metrics?: MonitoringMetrics; report: MonitorReport; history: ColumnTable | undefined }> {
  const store = new FeatureStore(storage, group);
  const info = await store.info();
  const keys = keyNames(info.keys);
  const history = await readTableIfExists(storage, outputKeys.history, predictionsSchema(info.keys));
  if (!history || history.numRows() === 0) {
    return { history, report: { forecasts: 0, scored: 0, mape: null, coverage80: null, latest: null, mape7d: null, coverage80_7d: null, alerts: [] } };
  }
  const times = history.array("datetime_utc") as ArrayLike<number>;
  let first = Infinity;
  for (let i = 0; i < times.length; i++) if (times[i] < first) first = times[i];
  const truth = await store.read({ start: first, end: visibleUntil });
  const scored = joinActuals(history, truth, keys);
  const metrics = monitoringMetrics(scored, keys);
  const y = actualsForForecasts(history, truth, keys);
  const writes: Array<[string, ColumnTable, typeof METRICS_BY_TIME_SCHEMA]> = [
    [outputKeys.yMonitoring, y, yMonitoringSchema(info.keys)],
    [outputKeys.metricsBy("series"), metrics.bySeries, metricsBySeriesSchema(info.keys)],
    [outputKeys.metricsBy("step"), metrics.byStep, METRICS_BY_STEP_SCHEMA],
    [outputKeys.metricsBy("model"), metrics.byModel, METRICS_BY_MODEL_SCHEMA],
    [outputKeys.metricsBy("origin"), metrics.byOrigin, METRICS_BY_ORIGIN_SCHEMA],
    [outputKeys.metrics, metrics.byTime, METRICS_BY_TIME_SCHEMA],
  ];
  for (const [key, table, schema] of writes) await writeTable(storage, key, table, schema);
  const overall = scored.numRows() === 0 ? undefined : scored.rollup({ mape: aq.op.mean("ape"), cov: aq.op.mean("in_80") }).object() as { mape: number; cov: number | null };
  return {
    metrics,
    history,
    report: {
      forecasts: history.numRows(),
      scored: scored.numRows(),
      mape: overall?.mape ?? null,
      coverage80: overall?.cov ?? null,
      ...checkAlerts(metrics.byTime, policy),
    },
  };
}
