import { forecasterFactory, parseTrainPolicy, type TickOptions } from "../../pipeline/index.js";
import type { CliContext } from "../context.js";
import { fractionFlag } from "../options.js";
import type { TickFlags } from "../tick-options.js";

/** The settings of a tick from the configuration and flags (everything except its as-of, configuration and source). */
export function tickOptions(ctx: CliContext, flags: TickFlags): Omit<TickOptions, "asOf" | "config" | "source"> {
  const f = ctx.config.forecast;
  return {
    model: f.model,
    create: forecasterFactory(f.model, f.horizon),
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
