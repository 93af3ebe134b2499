import type { Command } from "commander";
import { ExitCode, PipelineError } from "../../pipeline/core/errors.js";
import { checkTimeOrder } from "../../pipeline/config/config.js";
import { formatInstant, HOUR_MS, parseInstant } from "../../pipeline/time/index.js";
import { openSource } from "../../pipeline/ingest/open-source.js";
import { listManifests } from "../../pipeline/run/manifest.js";
import { runTick } from "../../pipeline/run/tick.js";
import { createContext, type GlobalOptions } from "../context.js";
import { addSourceOptions, sourceOverrides, type SourceFlags } from "../source-options.js";
import { QuietExit } from "../exit.js";
import { withStoreLock } from "../lock.js";
import { createProgress } from "../progress.js";
import { tickFlagsHelp, tickOptions, type TickFlags } from "../tick-options.js";
import { wholeHoursFlag } from "../options.js";

interface BackfillFlags extends TickFlags, SourceFlags {
  from: string;
  to: string;
  every: string;
}

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
    .action(async (flags: BackfillFlags, command: Command) => {
      const ctx = createContext(command.optsWithGlobals<GlobalOptions>(), sourceOverrides(flags));
      const from = parseInstant(flags.from, "--from");
      const to = parseInstant(flags.to, "--to");
      const every = wholeHoursFlag(flags.every, "--every");
      checkTimeOrder(from, to);
      const ticks: number[] = [];
      for (let t = from; t <= to; t += every * HOUR_MS) ticks.push(t);
      const options = tickOptions(ctx, flags);
      const owner = ctx.newRunId("backfill");
      const source = openSource(ctx.config, ctx.logger);
      let alerts = 0;
      await withStoreLock(ctx, owner, async (storage) => {
        const complete = new Set((await listManifests(storage)).map((m) => Date.parse(m.asOf)));
        const todo = ticks.filter((t) => !complete.has(t));
        ctx.logger.info(`backfill: ${ticks.length} ticks, ${ticks.length - todo.length} already complete, ${todo.length} to run`);
        const progress = createProgress(todo.length, process.stderr, Boolean(process.stderr.isTTY) && !process.env.CI);
        for (const asOf of todo) {
          const runId = ctx.newRunId("run");
          let manifest;
          try {
            manifest = await runTick(ctx.config, { ...options, asOf }, { storage, source, clock: ctx.clock, logger: ctx.logger, runId });
          } catch (error) {
            progress.done();
            throw new PipelineError("backfill", `tick ${formatInstant(asOf)} failed (run ${runId}); earlier ticks are kept, fix the cause and rerun to resume`, { cause: error, exitCode: (error as { exitCode?: number }).exitCode });
          }
          alerts += manifest.monitor.alerts.length > 0 ? 1 : 0;
          const mape = manifest.monitor.mape7d === null ? "-" : `${(manifest.monitor.mape7d * 100).toFixed(2)}%`;
          progress.tick(`${formatInstant(asOf)} ${manifest.train.trained ? "trained" : "kept"} v${manifest.train.version}, 7-day MAPE ${mape}`);
        }
        progress.done();
      });
      if (flags.failOnAlert && alerts > 0) throw new QuietExit(ExitCode.alert);
    });
}
