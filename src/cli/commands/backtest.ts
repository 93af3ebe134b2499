import type { Command } from "commander";
import { BACKTEST_MODELS, MODEL_NAMES } from "../../pipeline/models/names.js";
import { addSourceOptions } from "../source-options.js";
import type { BacktestFlags } from "../actions/backtest.js";

/** `energy-forecast backtest`: rolling-origin evaluation of forecasting models on a data file. */
export function registerBacktest(program: Command): void {
  addSourceOptions(
    program.command("backtest").description("fit each model at every origin on the history up to it, forecast the next hours, and score the forecasts"),
    "embedded (bundled data), file:<path.csv|.parquet>, or a path to a CSV or parquet file (env SOURCE; default embedded)",
  )
    .requiredOption("--from <iso>", "first origin (the last known hour), UTC, e.g. 2023-01-07T22:00")
    .requiredOption("--to <iso>", "last origin, inclusive, UTC")
    .option("--every <hours>", "hours between origins", "24")
    .option("--horizon <hours>", "hours forecast after each origin", "24")
    .option("--models <names>", `comma-separated models of ${MODEL_NAMES.join(", ")} (default: ${BACKTEST_MODELS.join(", ")})`)
    .option(
      "--json",
      'print {"origins","horizon","models":[{"name","mape","meanSeriesMape","medianSeriesMape","rmspe","coverage80","fitSeconds","predictSeconds","byOrigin":[{"origin","mape","rmspe","coverage80","n"}]}],"default"} (errors as fractions; mape pooled over points, the series ones over per-series MAPEs)',
    )
    .option(
      "--by <breakdowns>",
      'add breakdowns to the table: horizon, series (comma-separated; origin is always shown); with --json, each model gets "byStep" or "bySeries" ({"key":{<key column>:<value>}})',
    )
    .addHelpText("after", "\nOrigins whose horizon runs past the data are skipped. Exit codes: 0 ok, 1 failure, 2 bad usage.")
    .action(async (flags: BacktestFlags, cmd: Command) => (await import("../actions/backtest.js")).backtestAction(flags, cmd));
}
