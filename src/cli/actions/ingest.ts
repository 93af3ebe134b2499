import type { Command } from "commander";
import { ingest, openSource, parseInstant, stepContext, type IngestReport } from "../../pipeline/index.js";
import { createContext } from "../context.js";
import { sourceOverrides, type SourceFlags } from "../source-options.js";
import { withStoreLock } from "../lock.js";

export interface IngestFlags extends SourceFlags {
  asOf?: string;
  daysDelay?: string;
  daysExport?: string;
  json?: boolean;
  full?: boolean;
}

/** What `energy-forecast ingest` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function ingestAction(flags: IngestFlags, cmd: Command): Promise<void> {
  const ctx = createContext(cmd, {
    ...sourceOverrides(flags),
    delayDays: flags.daysDelay,
    exportDays: flags.daysExport,
  });
  const asOf = flags.asOf === undefined ? undefined : parseInstant(flags.asOf, "--as-of");
  const source = openSource(ctx.config, ctx.logger, ctx.cwd);
  const runId = ctx.newRunId("ingest");
  const report = await withStoreLock(ctx, runId, (storage) =>
    ingest(stepContext(ctx, { runId, storage }), { config: ctx.config, source, asOf, ...(flags.full ? { incremental: false } : {}) }),
  );
  ctx.io.stdout.write(flags.json ? JSON.stringify(report, null, 2) + "\n" : formatIngestReport(report, ctx.storage.uri));
}

/** A short human-readable summary of an ingest run. */
export function formatIngestReport(r: IngestReport, store: string): string {
  const fs = r.featureStore;
  return [
    `ingest ${r.runId}`,
    `  source      ${r.source}`,
    `  window      ${r.window.extracted[0]} .. ${r.window.extracted[1]}${r.window.coverage < 1 ? ` (short: ${(r.window.coverage * 100).toFixed(1)}% of the requested window)` : ""}`,
    `  extracted   ${r.rows} rows, ${r.series} series${r.requests !== undefined ? ` in ${r.requests} request(s)` : ""}${r.incremental ? ` (incremental after ${r.incremental.storeLatest.slice(0, 16)}Z, ${r.incremental.revisionHours} h revision overlap)` : ""}`,
    ...(r.transform.dst.nonexistent + r.transform.dst.repeated > 0
      ? [
          `  local time  ${r.transform.dst.nonexistent} nonexistent wall time(s) read as the next hour, ${r.transform.dst.repeated} repeated hour reading(s) read as the later instant`,
        ]
      : []),
    `  validation  passed ${r.validation.evaluated} expectations (${r.validation.key})`,
    `  store       ${store} feature group ${fs.group}, commit ${fs.commit}: ${fs.added} added, ${fs.changed} changed, ${fs.unchanged} unchanged; ${fs.totalRows} rows in total`,
    ...(fs.damaged ?? []).map(
      (d) =>
        `  repaired    day ${d.day}: partition ${d.key} was ${d.damage === "missing" ? "missing" : "corrupt"}${d.setAside ? ` (set aside as ${d.setAside})` : ""}; the day now holds this batch's rows`,
    ),
    "",
  ].join("\n");
}
