import type { Command } from "commander";
import { ExitCode } from "../../pipeline/core/errors.js";
import { addSourceOptions } from "../source-options.js";
import { tickFlagsHelp } from "../tick-options.js";
import type { RunFlags } from "../actions/run.js";

/** `energy-forecast run`: the whole DAG for one scheduled tick. */
export function registerRun(program: Command): void {
  const cmd = program
    .command("run")
    .description("one scheduled tick: ingest -> validate -> train when due -> monitor -> predict, then write the run manifest")
    .option("--as-of <iso>", "the tick's reference time, UTC (default: now)")
    .option("--json", "print the run manifest as JSON");
  addSourceOptions(cmd);
  for (const [flag, help] of tickFlagsHelp()) cmd.option(flag, help);
  cmd
    .addHelpText(
      "after",
      `\nExit codes: 0 ok, 1 failure, 2 bad usage, 3 validation failed, ${ExitCode.alert} alert (with --fail-on-alert), ${ExitCode.locked} another command holds the store's lock, or this run lost it.`,
    )
    .action(async (flags: RunFlags, command: Command) => (await import("../actions/run.js")).runAction(flags, command));
}
