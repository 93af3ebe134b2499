import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { DAY_MS } from "../time/index.js";

const { op } = aq;

/**
 * The monitoring tables, all errors as fractions (0.071, not 7.1):
 * - `byTime`: per target hour (the reference's MAPE per timestamp), pooled over series and the
 *   origins that forecast it, plus the trailing 7-day pooled MAPE and coverage up to that hour;
 * - `bySeries`, `byStep`, `byModel` (per model version), `byOrigin` (per run: every forecast's
 *   error stays traceable to the run that made it).
 */
export interface MonitoringMetrics {
  byTime: ColumnTable;
  bySeries: ColumnTable;
  byStep: ColumnTable;
  byModel: ColumnTable;
  byOrigin: ColumnTable;
}

const summary = {
  n: op.count(),
  mape: op.mean("ape"),
  rmspe: (d: { spe: number }) => op.sqrt(op.mean(d.spe)),
  coverage_80: op.mean("in_80"),
  coverage_95: op.mean("in_95"),
};

/** Computes every monitoring table from forecasts joined with truth (see {@link joinActuals}). */
export function monitoringMetrics(scored: ColumnTable, keys: readonly string[]): MonitoringMetrics {
  const byTime = scored
    .groupby("datetime_utc")
    .rollup({ ...summary, ape_sum: op.sum("ape"), in80_sum: op.sum("in_80"), in80_n: op.valid("in_80") })
    .orderby("datetime_utc");
  return {
    byTime: withTrailingWindow(byTime, 7 * DAY_MS).select("datetime_utc", "n", "mape", "rmspe", "coverage_80", "coverage_95", "mape_7d", "coverage_80_7d"),
    bySeries: scored
      .groupby(...keys)
      .rollup(summary)
      .orderby(aq.desc("mape")),
    byStep: scored.groupby("step").rollup(summary).orderby("step"),
    byModel: scored
      .groupby("model", "model_version")
      .rollup({ ...summary, first_origin: op.min("origin"), last_origin: op.max("origin") })
      .orderby("first_origin"),
    byOrigin: scored.groupby("origin", "model", "model_version", "run_id").rollup(summary).orderby("origin"),
  };
}

/**
 * Adds the pooled MAPE and 80 % coverage over target hours in (t - window, t] to each hour t,
 * from the per-hour sums (pooled, so an hour with more forecasts weighs more).
 */
function withTrailingWindow(byTime: ColumnTable, windowMs: number): ColumnTable {
  const n = byTime.numRows();
  const t = byTime.array("datetime_utc") as ArrayLike<number>;
  const count = byTime.array("n") as ArrayLike<number>;
  const apeSum = byTime.array("ape_sum") as ArrayLike<number>;
  const inSum = byTime.array("in80_sum") as ArrayLike<number>;
  const inN = byTime.array("in80_n") as ArrayLike<number>;
  const mape7 = new Float64Array(n);
  const cov7: Array<number | null> = new Array(n);
  let lo = 0;
  let sA = 0,
    sN = 0,
    sI = 0,
    sIN = 0;
  for (let i = 0; i < n; i++) {
    sA += apeSum[i] ?? 0;
    sN += count[i];
    sI += inSum[i] ?? 0;
    sIN += inN[i];
    while (t[lo] <= t[i] - windowMs) {
      sA -= apeSum[lo] ?? 0;
      sN -= count[lo];
      sI -= inSum[lo] ?? 0;
      sIN -= inN[lo];
      lo++;
    }
    mape7[i] = sA / sN;
    cov7[i] = sIN > 0 ? sI / sIN : null;
  }
  return byTime.assign({ mape_7d: mape7, coverage_80_7d: cov7 });
}
