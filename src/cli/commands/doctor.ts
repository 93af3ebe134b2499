import type { Command } from "commander";
import { ExitCode } from "../../pipeline/core/errors.js";
import type { DoctorFlags } from "../actions/doctor.js";

/** `energy-forecast doctor`: verify a store, and with `--repair` rebuild what can be rebuilt. */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "verify the store: every manifest reference resolves, every parquet file decodes, the forecast history holds every run folder's forecasts, the lock; " +
        "--repair rebuilds what can be rebuilt and sets aside what cannot (under damaged/, never deleted)",
    )
    .option(
      "--repair",
      "rebuild a feature-group manifest from its partition files and the forecast history from runs/*/predictions.parquet, set aside damaged files under damaged/; takes the store's lock",
    )
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `\nExit codes: 0 healthy (with --repair: healthy after the repair), 1 problems found (remaining), 2 bad usage, ${ExitCode.locked} another command holds the store's lock (--repair).`,
    )
    .action(async (flags: DoctorFlags, cmd: Command) => (await import("../actions/doctor.js")).doctorAction(flags, cmd));
}
