import type { Command } from "commander";
import { addSourceOptions } from "../source-options.js";
import { tickFlagsHelp } from "../tick-options.js";
import type { BackfillFlags } from "../actions/backfill.js";

/** `energy-forecast backfill`: run the DAG for every tick of a period, in order, resumable. */
export function registerBackfill(program: Command): void {
  const cmd = program
    .command("backfill")
    .description("run the DAG for each tick from --from to --to every --every hours, in order; ticks with a complete run are skipped")
    .requiredOption("--from <iso>", "first tick's as-of, UTC")
    .requiredOption("--to <iso>", "last tick's as-of (inclusive), UTC")
    .option("--every <hours>", "hours between ticks", "24");
  addSourceOptions(cmd);
  for (const [flag, help] of tickFlagsHelp()) cmd.option(flag, help);
  cmd
    .addHelpText("after", "\nStops at the first failed tick with its reason; rerun the same command to resume.")
    .action(async (flags: BackfillFlags, command: Command) => (await import("../actions/backfill.js")).backfillAction(flags, command));
}
