import type { Command } from "commander";
import { ExitCode, monitor, stepContext, type MonitorReport } from "../../pipeline/index.js";
import { createContext } from "../context.js";
import { QuietExit } from "../exit.js";
import { fractionFlag } from "../options.js";
import { visibleUntilFor } from "./predict.js";
import { withStoreLock } from "../lock.js";

export interface MonitorFlags {
  asOf?: string;
  maxMape?: string;
  minCoverage?: string;
  failOnAlert?: boolean;
  json?: boolean;
}

/** What `energy-forecast monitor` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function monitorAction(flags: MonitorFlags, cmd: Command): Promise<void> {
  const ctx = createContext(cmd);
  const policy = {
    maxMape7d: flags.maxMape ? fractionFlag(flags.maxMape, "--max-mape") : ctx.config.alerts.maxMape7d,
    minCoverage80: flags.minCoverage ? fractionFlag(flags.minCoverage, "--min-coverage") : ctx.config.alerts.minCoverage80,
  };
  // --as-of is read before the lock is taken (a usage error never waits); the newest hour under it.
  const asOfUntil = flags.asOf === undefined ? undefined : await visibleUntilFor(ctx, flags.asOf, "monitor");
  const runId = ctx.newRunId("monitor");
  const { report } = await withStoreLock(ctx, runId, async (storage) =>
    monitor(stepContext(ctx, { runId, storage }), {
      visibleUntil: asOfUntil ?? (await visibleUntilFor(ctx, undefined, "monitor")),
      policy,
      windowDays: ctx.config.historyWindowDays,
    }),
  );
  ctx.io.stdout.write(flags.json ? JSON.stringify(report, null, 2) + "\n" : formatMonitorReport(report));
  if (flags.failOnAlert && report.alerts.length > 0) throw new QuietExit(ExitCode.alert);
}

const pct = (v: number | null, digits = 2) => (v === null ? "-" : `${(v * 100).toFixed(digits)}%`);

/** A short human-readable monitoring summary. */
export function formatMonitorReport(r: MonitorReport): string {
  const lines = [
    `monitor: ${r.scored} of ${r.forecasts} stored forecasts have their truth; MAPE ${pct(r.mape)}, 80% coverage ${pct(r.coverage80, 1)}`,
    `  latest scored hour ${r.latest ?? "-"}; 7-day MAPE ${pct(r.mape7d)}, 7-day 80% coverage ${pct(r.coverage80_7d, 1)}`,
    ...(r.alerts.length ? r.alerts.map((a) => `  ALERT ${a}`) : ["  no alerts"]),
    "",
  ];
  return lines.join("\n");
}
