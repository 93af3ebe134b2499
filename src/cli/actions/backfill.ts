import type { Command } from "commander";
import {
  ExitCode,
  HOUR_MS,
  PipelineError,
  checkTimeOrder,
  formatInstant,
  listManifests,
  openSource,
  parseInstant,
  runTick,
  stepContext,
} from "../../pipeline/index.js";
import { createContext } from "../context.js";
import { sourceOverrides, type SourceFlags } from "../source-options.js";
import { QuietExit } from "../exit.js";
import { withStoreLock } from "../lock.js";
import { createProgress } from "../progress.js";
import type { TickFlags } from "../tick-options.js";
import { tickOptions } from "./tick.js";
import { wholeHoursFlag } from "../options.js";

export interface BackfillFlags extends TickFlags, SourceFlags {
  from: string;
  to: string;
  every: string;
}

/** What `energy-forecast backfill` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function backfillAction(flags: BackfillFlags, command: Command): Promise<void> {
  const ctx = createContext(command, sourceOverrides(flags));
  const from = parseInstant(flags.from, "--from");
  const to = parseInstant(flags.to, "--to");
  const every = wholeHoursFlag(flags.every, "--every");
  checkTimeOrder(from, to);
  const ticks: number[] = [];
  for (let t = from; t <= to; t += every * HOUR_MS) ticks.push(t);
  const options = tickOptions(ctx, flags);
  const owner = ctx.newRunId("backfill");
  const source = openSource(ctx.config, ctx.logger, ctx.cwd);
  let alerts = 0;
  await withStoreLock(ctx, owner, async (storage) => {
    const complete = new Set((await listManifests(storage)).map((m) => Date.parse(m.asOf)));
    const todo = ticks.filter((t) => !complete.has(t));
    ctx.logger.info(`backfill: ${ticks.length} ticks, ${ticks.length - todo.length} already complete, ${todo.length} to run`);
    const progress = createProgress(todo.length, ctx.io.stderr, Boolean(ctx.io.stderr.isTTY) && !ctx.io.env.CI);
    for (const asOf of todo) {
      const runId = ctx.newRunId("run");
      let manifest;
      try {
        manifest = await runTick(stepContext(ctx, { runId, storage }), { ...options, config: ctx.config, source, asOf });
      } catch (error) {
        progress.done();
        throw new PipelineError("backfill", `tick ${formatInstant(asOf)} failed (run ${runId}); earlier ticks are kept, fix the cause and rerun to resume`, {
          cause: error,
          exitCode: (error as { exitCode?: number }).exitCode,
        });
      }
      alerts += manifest.monitor.alerts.length > 0 ? 1 : 0;
      const mape = manifest.monitor.mape7d === null ? "-" : `${(manifest.monitor.mape7d * 100).toFixed(2)}%`;
      progress.tick(`${formatInstant(asOf)} ${manifest.train.trained ? "trained" : "kept"} v${manifest.train.version}, 7-day MAPE ${mape}`);
    }
    progress.done();
  });
  if (flags.failOnAlert && alerts > 0) throw new QuietExit(ExitCode.alert);
}
