import type { Command } from "commander";
import { ExitCode } from "../../pipeline/core/errors.js";
import { addSourceOptions } from "../source-options.js";
import { tickFlagsHelp } from "../tick-options.js";
import type { RunFlags } from "../actions/run.js";

/** `energy-forecast run`: the whole DAG for one scheduled tick, in one process or in stages. */
export function registerRun(program: Command): void {
  const cmd = program
    .command("run")
    .description("one scheduled tick: ingest -> validate -> train when due -> monitor -> predict, then write the run manifest")
    .option("--as-of <iso>", "the tick's reference time, UTC (default: now; a later stage: the prepared one)")
    .option("--json", "print the run manifest (a stage: its record) as JSON")
    .option(
      "--stage <stage>",
      "run one stage of the tick: prepare (ingest, validate, train when due), predict (one shard), finish (gather, monitor, outputs, manifest)",
    )
    .option("--run-id <id>", "the run's id, the same for every stage (letters, digits, . _ -; default without --stage: a new one)")
    .option("--shard <K/N>", "with --stage predict: forecast the series of shard K of N, K from 0 (default: CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT)")
    .option("--workers <n>", "run the predict stage as n local worker processes, prepare and finish in this one");
  addSourceOptions(cmd);
  for (const [flag, help] of tickFlagsHelp()) cmd.option(flag, help);
  cmd
    .addHelpText(
      "after",
      [
        "",
        'Stages (README "Sharded runs"): prepare and finish take the store\'s lock; predict shards take none and write only',
        "their own files under runs/<id>/shards/. Every stage of a run takes the same --run-id (and --as-of); running a",
        "stage again does nothing new. finish refuses while a shard is missing.",
        "  energy-forecast run --stage prepare --run-id ID --as-of 2023-01-30T00:00",
        "  energy-forecast run --stage predict --run-id ID --shard 0/4      (and 1/4, 2/4, 3/4, anywhere)",
        "  energy-forecast run --stage finish --run-id ID",
        "",
        `Exit codes: 0 ok, 1 failure (finish: a shard missing), 2 bad usage, 3 validation failed, ${ExitCode.alert} alert (with --fail-on-alert), ${ExitCode.locked} another command holds the store's lock, or this run lost it.`,
      ].join("\n"),
    )
    .action(async (flags: RunFlags, command: Command) => (await import("../actions/run.js")).runAction(flags, command));
}
