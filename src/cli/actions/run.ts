import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Command } from "commander";
import {
  ConfigError,
  ExitCode,
  PROJECT_ROOT,
  RunStageError,
  checkRunId,
  checkSameAsOf,
  finishRun,
  formatInstant,
  formatShard,
  openSource,
  parseInstant,
  parseShard,
  predictShard,
  prepareRun,
  readPrepareRecord,
  readRunManifest,
  recordFailure,
  runPrepareKey,
  runTick,
  shardFromTaskEnv,
  stepContext,
  type PrepareRecord,
  type RunManifest,
  type ShardRecord,
  type ShardSpec,
} from "../../pipeline/index.js";
import { createContext, type CliContext, type GlobalOptions } from "../context.js";
import { sourceOverrides, type SourceFlags } from "../source-options.js";
import { QuietExit } from "../exit.js";
import { withStoreLock } from "../lock.js";
import type { TickFlags } from "../tick-options.js";
import { tickOptions } from "./tick.js";

export interface RunFlags extends TickFlags, SourceFlags {
  asOf?: string;
  json?: boolean;
  stage?: string;
  runId?: string;
  shard?: string;
  workers?: string;
}

/** The stages of a tick `--stage` names. */
const STAGES = ["prepare", "predict", "finish"] as const;
type Stage = (typeof STAGES)[number];

/** The most local worker processes `--workers` starts. */
const MAX_WORKERS = 64;

/** What `run` was asked to do, its flags checked together. */
type RunPlan =
  | { kind: "tick"; runId: string | undefined }
  | { kind: "workers"; runId: string | undefined; workers: number }
  | { kind: "stage"; stage: Stage; runId: string; shard?: ShardSpec };

/**
 * Checks the stage flags together (ConfigError, exit 2: nothing attempted). `env` is read here
 * only, at the entry, for Cloud Run's task index and count.
 */
export function runPlan(flags: Pick<RunFlags, "stage" | "runId" | "shard" | "workers">, env: Record<string, string | undefined>): RunPlan {
  const runId = flags.runId === undefined ? undefined : checkRunId(flags.runId);
  if (flags.stage === undefined) {
    if (flags.shard !== undefined) throw new ConfigError(`--shard ${flags.shard} is for --stage predict only; add --stage predict --run-id <id>`);
    if (flags.workers === undefined) return { kind: "tick", runId };
    const workers = Number(flags.workers);
    if (!/^\d+$/.test(flags.workers) || workers < 1 || workers > MAX_WORKERS) {
      throw new ConfigError(`--workers must be a whole number of local worker processes from 1 to ${MAX_WORKERS}, got "${flags.workers}"`);
    }
    return { kind: "workers", runId, workers };
  }
  const stage = STAGES.find((s) => s === flags.stage);
  if (stage === undefined) throw new ConfigError(`--stage must be ${STAGES.join(", ")}, got "${flags.stage}"`);
  if (flags.workers !== undefined) {
    throw new ConfigError(`--workers runs every stage (the predict stage as local worker processes); leave out --stage ${stage}, or --workers`);
  }
  if (runId === undefined) {
    throw new ConfigError(`--stage ${stage} needs --run-id <id>: the same id for every stage of the run (e.g. --run-id run-2023-01-30)`);
  }
  if (stage !== "predict") {
    if (flags.shard !== undefined) throw new ConfigError(`--shard ${flags.shard} is for --stage predict only, not --stage ${stage}`);
    return { kind: "stage", stage, runId };
  }
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : shardFromTaskEnv(env);
  if (shard === undefined) {
    throw new ConfigError(
      "--stage predict needs --shard K/N (shard K of N, K from 0), or CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT as Cloud Run sets them for each task",
    );
  }
  return { kind: "stage", stage, runId, shard };
}

/** What `energy-forecast run` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function runAction(flags: RunFlags, command: Command): Promise<void> {
  const global = command.optsWithGlobals<GlobalOptions>();
  const ctx = createContext(command, sourceOverrides(flags));
  // Flags, options and source are read before any lock is taken, so a usage error never waits for the store.
  const plan = runPlan(flags, ctx.io.env);
  const asOf = flags.asOf ? parseInstant(flags.asOf, "--as-of") : undefined;
  if (plan.kind === "stage" && plan.stage === "predict") return predictStage(ctx, flags, plan.runId, plan.shard!, asOf);
  const options = tickOptions(ctx, flags);
  const finishOptions = { asOf, alerts: options.alerts, windowDays: ctx.config.historyWindowDays };
  let manifest: RunManifest;
  if (plan.kind === "stage" && plan.stage === "prepare") {
    const source = openSource(ctx.config, ctx.logger, ctx.cwd);
    const { record, again } = await withStoreLock(ctx, plan.runId, (storage) =>
      prepareRun(stepContext(ctx, { runId: plan.runId, storage }), { ...options, config: ctx.config, source, asOf }),
    );
    ctx.io.stdout.write(flags.json ? JSON.stringify(record, null, 2) + "\n" : formatPrepared(record, again));
    return;
  } else if (plan.kind === "stage") {
    ({ manifest } = await withStoreLock(ctx, plan.runId, (storage) => finishRun(stepContext(ctx, { runId: plan.runId, storage }), finishOptions)));
  } else if (plan.kind === "workers") {
    const runId = plan.runId ?? ctx.newRunId("run");
    const source = openSource(ctx.config, ctx.logger, ctx.cwd);
    manifest = await withStoreLock(ctx, runId, async (storage) => {
      // The whole run holds the store's lock like a one-process run; the workers take none (they
      // write only their own shard files), so holding it does not stop them.
      const step = stepContext(ctx, { runId, storage });
      const { record } = await prepareRun(step, { ...options, config: ctx.config, source, asOf });
      if (!(await readRunManifest(storage, runId))) {
        try {
          await runWorkers(ctx, global, record, plan.workers);
        } catch (error) {
          await recordFailure(storage, runId, Date.parse(record.asOf), "predict", error, ctx.clock, ctx.logger);
          throw error;
        }
      }
      return (await finishRun(step, { ...finishOptions, asOf: Date.parse(record.asOf) })).manifest;
    });
  } else {
    const runId = plan.runId ?? ctx.newRunId("run");
    const source = openSource(ctx.config, ctx.logger, ctx.cwd);
    manifest = await withStoreLock(ctx, runId, async (storage) => {
      if (plan.runId !== undefined) {
        // A given id may name a run made before: complete (print it again), or one run in stages.
        const done = await readRunManifest(storage, runId);
        if (done) {
          checkSameAsOf(runId, done.asOf, asOf, "run");
          ctx.logger.info(`run: run ${runId} is complete already; nothing to do`);
          return done;
        }
        if (await readPrepareRecord(storage, runId)) {
          throw new RunStageError(
            "staged-run",
            `run ${runId} is being run in stages (${runPrepareKey(runId)} exists); continue it with --stage predict and --stage finish, or use a new --run-id`,
          );
        }
      }
      return runTick(stepContext(ctx, { runId, storage }), { ...options, config: ctx.config, source, asOf: asOf ?? ctx.clock.now().getTime() });
    });
  }
  ctx.io.stdout.write(flags.json ? JSON.stringify(manifest, null, 2) + "\n" : formatManifest(manifest));
  if (flags.failOnAlert && manifest.monitor.alerts.length > 0) throw new QuietExit(ExitCode.alert);
}

/** `run --stage predict`: one shard, without any store lock (it writes only its own shard files). */
async function predictStage(ctx: CliContext, flags: RunFlags, runId: string, shard: ShardSpec, asOf: number | undefined): Promise<void> {
  const result = await predictShard(stepContext(ctx, { runId }), { shard, asOf });
  if (flags.json) {
    ctx.io.stdout.write(JSON.stringify(result.record ?? { runId, shard, complete: result.complete }, null, 2) + "\n");
    return;
  }
  ctx.io.stdout.write(formatShardResult(runId, shard, result.record, result.again, result.complete));
}

/**
 * Runs shards 0..n-1 of the prepared run as n child processes of this same CLI
 * (`bin/energy-forecast.js run --stage predict --shard k/n`), all at once, with this process's
 * environment, store and log level. Their log lines reach stderr prefixed with their shard;
 * a failed worker fails the run with its exit code, and the end of its stderr in the message.
 */
async function runWorkers(ctx: CliContext, global: GlobalOptions, record: PrepareRecord, n: number): Promise<void> {
  const bin = join(PROJECT_ROOT, "bin", "energy-forecast.js");
  const outcomes = await Promise.all(
    Array.from({ length: n }, (_, index) => {
      const shard = formatShard({ index, count: n });
      const args = [bin, "--store", ctx.config.storeUri, "--log-level", global.logLevel ?? ctx.config.logLevel];
      args.push("run", "--stage", "predict", "--run-id", record.runId, "--as-of", record.asOf, "--shard", shard);
      return new Promise<{ shard: string; code: number; signal: string | null; tail: string }>((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: ctx.cwd, env: ctx.io.env, stdio: ["ignore", "ignore", "pipe"] });
        let tail = "";
        let partial = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk: string) => {
          tail = (tail + chunk).slice(-4000);
          const lines = (partial + chunk).split("\n");
          partial = lines.pop() ?? "";
          for (const line of lines) ctx.io.stderr.write(`[shard ${shard}] ${line}\n`);
        });
        child.on("error", reject);
        child.on("close", (code, signal) => {
          if (partial) ctx.io.stderr.write(`[shard ${shard}] ${partial}\n`);
          resolve({ shard, code: code ?? -1, signal, tail });
        });
      });
    }),
  );
  const failed = outcomes.filter((o) => o.code !== 0);
  if (failed.length === 0) return;
  const first = failed[0];
  const how = first.signal ? `was killed by ${first.signal}` : `exited with code ${first.code}`;
  const tail = first.tail.trim().split("\n").slice(-5).join("\n  ");
  const others =
    failed.length > 1
      ? ` (${failed.length - 1} more worker(s) failed too: ${failed
          .slice(1)
          .map((f) => f.shard)
          .join(", ")})`
      : "";
  throw new RunStageError(
    "worker-failed",
    `the predict worker of shard ${first.shard} of run ${record.runId} ${how}${others}; its stderr ends:\n  ${tail || "(nothing)"}\nfix the cause and run again with the same --run-id (finished shards are kept)`,
    { exitCode: first.code > 0 && first.code < 256 ? first.code : ExitCode.failure },
  );
}

const pct = (v: number | null) => (v === null ? "-" : `${(v * 100).toFixed(2)}%`);

/** A compact summary of a completed tick. */
export function formatManifest(m: RunManifest): string {
  return [
    `run ${m.runId} as of ${formatInstant(Date.parse(m.asOf))} (data before ${formatInstant(Date.parse(m.visibleUntil))})${m.stages ? `, ${m.stages.shards} shard(s)` : ""}`,
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

/** What prepare pinned, and the commands of the next stages. */
export function formatPrepared(r: PrepareRecord, again: boolean): string {
  const p = r.predict;
  return [
    `prepared run ${r.runId} as of ${formatInstant(Date.parse(r.asOf))} (data before ${formatInstant(Date.parse(r.visibleUntil))})${again ? " (done before; nothing new)" : ""}`,
    `  ingest    ${r.ingest.rows} rows, ${r.ingest.series} series: ${r.ingest.added} added, ${r.ingest.changed} changed (validation ${r.validation.success ? "passed" : "failed"})`,
    `  train     ${r.train.trained ? `trained ${r.train.model} v${r.train.version}` : `kept ${r.train.model} v${r.train.version}`} (${r.train.reason})`,
    `  predict   ${p.series.length} series x ${p.horizon} h from ${p.origin.slice(0, 16)}Z with ${p.model} v${p.modelVersion}, window ${p.input.key}`,
    `  next      energy-forecast run --stage predict --run-id ${r.runId} --shard K/N (K = 0..N-1), then energy-forecast run --stage finish --run-id ${r.runId}`,
    "",
  ].join("\n");
}

/** One line on a finished shard. */
function formatShardResult(runId: string, shard: ShardSpec, r: ShardRecord | undefined, again: boolean, complete: boolean): string {
  if (!r) return `shard ${formatShard(shard)} of run ${runId}: the run is complete; nothing to do\n`;
  const note = complete ? " (the run is complete; nothing to do)" : again ? " (done before; nothing new)" : "";
  const stale = r.report.stale.length ? `, ${r.report.stale.length} stale` : "";
  return `shard ${formatShard(shard)} of run ${runId}: ${r.report.series} series x ${r.report.horizon} h from ${r.origin.slice(0, 16)}Z with ${r.model} v${r.modelVersion}${stale} -> ${r.predictions.key}${note}\n`;
}
