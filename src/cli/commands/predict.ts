import type { Command } from "commander";
import type { PredictFlags } from "../actions/predict.js";

/** `energy-forecast predict`: forecast the next hours of every series with a registered model. */
export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("forecast the hours after the latest visible observation of every series and write X/y/predictions parquet files")
    .option("--as-of <iso>", "reference time T: only data before T - delay is used (default: all stored data)")
    .option("--model <version|alias>", "registered version (v3, 3), alias, or latest", "production")
    .option("--horizon <hours>", "hours to forecast (env FORECAST_HORIZON; default 24)")
    .option("--json", "print the run report as JSON")
    .action(async (flags: PredictFlags, cmd: Command) => (await import("../actions/predict.js")).predictAction(flags, cmd));
}
