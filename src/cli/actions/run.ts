import type { Command } from "commander";
import { ExitCode, formatInstant, openSource, parseInstant, runTick, stepContext, type RunManifest } from "../../pipeline/index.js";
import { createContext, type GlobalOptions } from "../context.js";
import { sourceOverrides, type SourceFlags } from "../source-options.js";
import { QuietExit } from "../exit.js";
import { withStoreLock } from "../lock.js";
import type { TickFlags } from "../tick-options.js";
import { tickOptions } from "./tick.js";

export interface RunFlags extends TickFlags, SourceFlags {
  asOf?: string;
  json?: boolean;
}

/** What `energy-forecast run` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function runAction(flags: RunFlags, command: Command): Promise<void> {
  const ctx = createContext(command.optsWithGlobals<GlobalOptions>(), sourceOverrides(flags));
  const asOf = flags.asOf ? parseInstant(flags.asOf, "--as-of") : ctx.clock.now().getTime();
  const runId = ctx.newRunId("run");
  // Options and source are read before the lock is taken, so a usage error never waits for the store.
  const options = { ...tickOptions(ctx, flags), config: ctx.config, source: openSource(ctx.config, ctx.logger), asOf };
  const manifest = await withStoreLock(ctx, runId, (storage) => runTick(stepContext(ctx, { runId, storage }), options));
  process.stdout.write(flags.json ? JSON.stringify(manifest, null, 2) + "\n" : formatManifest(manifest));
  if (flags.failOnAlert && manifest.monitor.alerts.length > 0) throw new QuietExit(ExitCode.alert);
}

const pct = (v: number | null) => (v === null ? "-" : `${(v * 100).toFixed(2)}%`);

/** A compact summary of a completed tick. */
export function formatManifest(m: RunManifest): string {
  return [
    `run ${m.runId} as of ${formatInstant(Date.parse(m.asOf))} (data before ${formatInstant(Date.parse(m.visibleUntil))})`,
    `  ingest    ${m.ingest.rows} rows, ${m.ingest.series} series: ${m.ingest.added} added, ${m.ingest.changed} changed (validation ${m.validation.success ? "passed" : "failed"})`,
    `  train     ${m.train.trained ? `trained ${m.train.model} v${m.train.version}` : `kept ${m.train.model} v${m.train.version}`} (${m.train.reason})`,
    `  monitor   ${m.monitor.scored} forecasts scored, 7-day MAPE ${pct(m.monitor.mape7d)}${m.monitor.alerts.length ? `, ALERTS: ${m.monitor.alerts.join("; ")}` : ""}`,
    `  predict   ${m.predict.series} series x ${m.predict.horizon} h from ${m.predict.origin.slice(0, 16)}Z with v${m.predict.modelVersion}` +
      (m.predict.baseline?.length ? `; ${m.predict.baseline.length} new series by the baseline` : "") +
      (m.predict.stale?.length ? `; ${m.predict.stale.length} stale series not forecast` : ""),
    `  took      ${Object.entries(m.durationsMs)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(", ")}`,
    "",
  ].join("\n");
}
