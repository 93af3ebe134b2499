import { ExitCode } from "../pipeline/core/errors.js";

/** Flags shared by `run` and `backfill`. */
export interface TickFlags {
  train?: string;
  maxMape?: string;
  minCoverage?: string;
  failOnAlert?: boolean;
}

/** Adds the flags `run` and `backfill` share to a command. */
export function tickFlagsHelp(): Array<[string, string]> {
  return [
    ["--train <policy>", "always, never, or max-age:<hours> of data since the production model's training window (env TRAIN_POLICY; default max-age:72)"],
    ["--max-mape <fraction>", "alert when the 7-day MAPE is above this (env ALERT_MAX_MAPE_7D; default 0.1)"],
    ["--min-coverage <fraction>", "alert when the 7-day 80% interval coverage is below this (env ALERT_MIN_COVERAGE_80; default 0.6)"],
    ["--fail-on-alert", `exit with code ${ExitCode.alert} when monitoring raises an alert`],
  ];
}
