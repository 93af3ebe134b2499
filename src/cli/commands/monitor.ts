import type { Command } from "commander";
import { ExitCode } from "../../pipeline/core/errors.js";
import type { MonitorFlags } from "../actions/monitor.js";

/** `energy-forecast monitor`: score past forecasts against the truth that has arrived since. */
export function registerMonitor(program: Command): void {
  program
    .command("monitor")
    .description("join stored forecasts with the ground truth that arrived later; write metrics_monitoring*.parquet and y_monitoring.parquet")
    .option("--as-of <iso>", "reference time T: only truth before T - delay counts (default: all stored data)")
    .option("--max-mape <fraction>", "alert when the 7-day MAPE is above this (env ALERT_MAX_MAPE_7D; default 0.1)")
    .option("--min-coverage <fraction>", "alert when the 7-day 80% interval coverage is below this (env ALERT_MIN_COVERAGE_80; default 0.6)")
    .option("--fail-on-alert", `exit with code ${ExitCode.alert} when an alert is raised`)
    .option("--json", "print the monitoring report as JSON")
    .action(async (flags: MonitorFlags, cmd: Command) => (await import("../actions/monitor.js")).monitorAction(flags, cmd));
}
