import type { Command } from "commander";
import type { ValidateFlags } from "../actions/validate.js";

/** `energy-forecast validate`: run the expectation suite on a file or a stored window and print the result. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("validate a file (API CSV layout, or parquet with raw or feature columns) or a stored feature window")
    .option("--file <path>", "a CSV/parquet file to validate instead of the feature store")
    .option("--dataset <preset>", "dataset preset of the file (env DATASET; default de35)")
    .option("--keys <cols>", "key column(s) of the file (env KEYS)")
    .option("--time <col>", "hour column of the file (env TIME_COLUMN)")
    .option("--time-zone <zone>", "zone of the hour column (env TIME_ZONE; default UTC)")
    .option("--value <col>", "value column of the file (env VALUE_COLUMN)")
    .option("--unit <unit>", "unit of the value column (env UNIT; default kWh)")
    .option("--unit-column <col>", "a column holding each row's unit, checked to be --unit (env UNIT_COLUMN)")
    .option("--from <iso>", "start of the stored window, included (UTC)")
    .option("--to <iso>", "end of the stored window, excluded (UTC)")
    .option("--suite <path>", "an expectation suite JSON (default: the feature suite built from the dataset settings)")
    .option("--json", "print the Great Expectations-shaped validation result as JSON")
    .addHelpText("after", "\nExit codes: 0 all expectations met, 3 some failed, 1 the data could not be read, 2 bad usage.")
    .action(async (flags: ValidateFlags, cmd: Command) => (await import("../actions/validate.js")).validateAction(flags, cmd));
}
