import type { ColumnTable } from "arquero";
import { formatInstant } from "../time/index.js";

/** When monitoring should raise an alert. */
export interface AlertPolicy {
  /** Alert when the trailing 7-day pooled MAPE (fraction) is above this. */
  maxMape7d: number;
  /** Alert when the trailing 7-day 80 % interval coverage (fraction) is below this. */
  minCoverage80: number;
}

/** The state of the latest monitored hour and the alerts it raises. */
export interface AlertReport {
  /** Latest target hour with truth (ISO), or null when nothing can be scored yet. */
  latest: string | null;
  mape7d: number | null;
  coverage80_7d: number | null;
  alerts: string[];
}

/** Checks the newest row of the per-hour metrics against the policy. */
export function checkAlerts(byTime: ColumnTable, policy: AlertPolicy): AlertReport {
  const n = byTime.numRows();
  if (n === 0) return { latest: null, mape7d: null, coverage80_7d: null, alerts: [] };
  const t = byTime.get("datetime_utc", n - 1) as number;
  const mape = byTime.get("mape_7d", n - 1) as number;
  const cov = byTime.get("coverage_80_7d", n - 1) as number | null;
  const alerts: string[] = [];
  if (mape > policy.maxMape7d) {
    alerts.push(`7-day MAPE ${(mape * 100).toFixed(2)}% up to ${formatInstant(t)} is above the threshold ${(policy.maxMape7d * 100).toFixed(2)}%`);
  }
  if (cov !== null && cov < policy.minCoverage80) {
    alerts.push(`7-day coverage of the 80% interval ${(cov * 100).toFixed(1)}% up to ${formatInstant(t)} is below ${(policy.minCoverage80 * 100).toFixed(1)}%`);
  }
  return { latest: new Date(t).toISOString(), mape7d: mape, coverage80_7d: cov, alerts };
}
