import { ExitCode } from "../pipeline/core/errors.js";
import { parseTrainPolicy } from "../pipeline/run/policy.js";
import type { TickOptions } from "../pipeline/run/tick.js";
import { forecasterFactory } from "../pipeline/train/candidates.js";
import type { CliContext } from "./context.js";
import { fractionFlag } from "./options.js";

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

/** The settings of a tick from the configuration and flags (everything except its as-of). */
export function tickOptions(ctx: CliContext, flags: TickFlags): Omit<TickOptions, "asOf"> {
  const f = ctx.config.forecast;
  return {
    model: f.model,
    create: forecasterFactory(f.model),
    trainPolicy: parseTrainPolicy(flags.train ?? f.trainPolicy),
    alerts: {
      maxMape7d: flags.maxMape ? fractionFlag(flags.maxMape, "--max-mape") : ctx.config.alerts.maxMape7d,
      minCoverage80: flags.minCoverage ? fractionFlag(flags.minCoverage, "--min-coverage") : ctx.config.alerts.minCoverage80,
    },
    horizon: f.horizon,
    folds: f.folds,
    lookbackDays: f.lookbackDays,
  };
}
