import type { Command } from "commander";
import type { TrainFlags } from "../actions/train.js";

/** `energy-forecast train`: hyperparameter search by backtest, then fit and register the best. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("search learner settings by backtest MAPE on expanding-window folds, fit the best on all data, and register it")
    .option("--model <name>", "catalog model to train (env MODEL_NAME; default the backtest-chosen default)")
    .option("--search <kind>", "none (default settings only), grid, or random", "random")
    .option("--trials <n>", "trials of a random search", "4")
    .option("--seed <n>", "seed of the random search", "0")
    .option("--folds <n>", "expanding-window folds (env TRAIN_FOLDS; default 3)")
    .option("--every <hours>", "hours between folds", "24")
    .option("--horizon <hours>", "forecast horizon in hours (env FORECAST_HORIZON; default 24)")
    .option("--visible-until <iso>", "train only on data before this instant (UTC)")
    .option("--alias <alias>", "alias to point at the new version", "production")
    .option("--no-alias", "register without moving any alias")
    .option("--json", "print the training report as JSON")
    .action(async (flags: TrainFlags, cmd: Command) => (await import("../actions/train.js")).trainAction(flags, cmd));
}
