/**
 * A tick in three stages, for engines that run steps as separate processes on separate machines
 * (Cloud Run job tasks, a GitHub Actions matrix, Kubernetes indexed jobs), all against one store:
 *
 * - **prepare** (`run --stage prepare`): ingest, validate, train when due (as {@link runTick}
 *   does), then pins what every predict shard needs in the run's folder: the feature window in
 *   buckets by series hash (`runs/<runId>/stages/features/bucket-B-of-C.parquet`, predict/buckets.ts),
 *   the same rows as one parquet file (`runs/<runId>/stages/features.parquet`, the buckets' row
 *   groups joined, which finish reads), and the prepare record (`runs/<runId>/stages/prepare.json`,
 *   written last, naming them all with their SHA-256) with the model version, as-of, visibility
 *   limit, origin, the window's time grid and every series. A shard reads only these and the pinned
 *   model version, so a training or ingest that happens meanwhile changes nothing it computes.
 * - **predict** (`run --stage predict --shard K/N`): forecasts the series whose key hashes to shard
 *   K (series/shard.ts), reading only the buckets that hold them and building their panel on the
 *   window's grid (so origin and stale series are those of one process), and writes only its own
 *   objects: its forecasts
 *   (`runs/<runId>/shards/shard-K-of-N.parquet`), then its record (`...json`), which publishes
 *   them: a shard exists for finish once its record does, and the record carries the forecasts'
 *   SHA-256, so finish never takes a half-rewritten pair.
 * - **finish** (`run --stage finish`): checks that every shard 0..N-1 of one N is there (naming the
 *   missing ones), monitors, writes the reference outputs from the union of the shards (the same
 *   bytes one process writes), and the run manifest last.
 *
 * Locking (the CLI's job, src/cli/actions/run.ts): prepare and finish write shared objects (feature
 * store, registry, forecast history, latest outputs, monitoring) and take the store-wide lock; a
 * predict shard writes nothing shared, only immutable objects of its own under the run's folder,
 * so it takes no lock and shards on many machines never wait for each other.
 *
 * Every stage is idempotent: prepare again finds its record and does nothing (an explicit other
 * as-of is refused); a shard again finds its record and verified forecasts and does nothing (or
 * rewrites the same bytes: forecasts are deterministic); finish again finds the manifest.
 */
import { createHash } from "node:crypto";
import type { ColumnTable } from "arquero";
import type { StepContext } from "../core/step.js";
import { ConfigError, PipelineError } from "../core/errors.js";
import { codeVersion } from "../config/version.js";
import { featureSchema, TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import { panelEnd, panelFromTable, type Panel } from "../features/panel.js";
import { monitor, type MonitorReport } from "../monitor/monitor.js";
import type { AlertPolicy } from "../monitor/alerts.js";
import { readParquet } from "../parquet/read.js";
import { splicedParquet } from "../parquet/splice.js";
import { writeParquet } from "../parquet/write.js";
import { forecastable, forecastWindow, nothingToForecast, orderPredictions, readPredictInput, type PredictReport } from "../predict/predict.js";
import { reachOf } from "../models/forecaster.js";
import { DANISH_CALENDAR } from "../features/calendar.js";
import { bucketsOfShard, concatBuckets, inputBucketCount, splitByBucket } from "../predict/buckets.js";
import { inKeyOrder } from "../series/order.js";
import { writePredictionOutputs } from "../predict/outputs.js";
import { predictionsSchema } from "../predict/schema.js";
import { keyNames, namedKey, seriesId, type KeyColumn, type KeyValue } from "../series/key.js";
import { formatShard, type ShardSpec } from "../series/shard.js";
import {
  RUN_SHARD_KEY,
  SAFE_RUN_ID,
  runInputBucketKey,
  runInputKey,
  runManifestKey,
  runPrepareKey,
  runShardKey,
  runShardPredictionsKey,
  runShardsPrefix,
} from "../storage/layout.js";
import { publicStoreLocation } from "../storage/location.js";
import { readIfExists, type Storage } from "../storage/storage.js";
import { formatInstant, visibleUntil as visibleUntilOf } from "../time/index.js";
import { RunStageError } from "./errors.js";
import type { RunManifest } from "./manifest.js";
import { ingestAndTrain, manifestOutputs, monitorSection, recordFailure, stepTimer, type IngestAndTrain, type TickOptions } from "./tick.js";
import { concatRows } from "../core/columns.js";

/** How series are assigned to shards, as the records state it (series/shard.ts). */
export const SHARDING = "fnv1a32(utf8(seriesId(key))) mod N";

/** What the prepare stage pins for the predict shards and the finish of run `runId`. */
export interface PrepareRecord {
  format: "energy-forecast/run-prepare";
  formatVersion: 1;
  runId: string;
  asOf: string;
  visibleUntil: string;
  startedAt: string;
  preparedAt: string;
  /** Milliseconds of prepare's steps: ingest, decide, train (when it trained), snapshot. */
  durationsMs: Record<string, number>;
  dataset: { name: string; keys: string[]; unit: string };
  ingest: IngestAndTrain["ingest"];
  validation: IngestAndTrain["validation"];
  train: IngestAndTrain["train"];
  predict: {
    /** The registered model and the version every shard forecasts with. */
    model: string;
    modelVersion: number;
    horizon: number;
    lookbackDays: number;
    /** The last observed hour of the window: the forecasts' origin, and the last hour of its time grid. */
    origin: string;
    /**
     * The first hour of the window's time grid (its earliest row): with `origin`, the grid every
     * shard builds its series' panel on, whichever rows it reads. Absent in records of older code
     * (a shard then takes the grid from the whole window it reads).
     */
    gridStart?: string;
    /** The key columns of the series, and every series of the window in key order. */
    keyColumns: KeyColumn[];
    series: Array<Record<string, KeyValue>>;
    /**
     * The feature window: its key, rows, SHA-256 (finish reads it whole), and the same rows
     * bucketed by series hash (predict/buckets.ts), of which a shard reads only the buckets of its
     * own series: `count` buckets, the non-empty ones listed with key, rows and SHA-256. Absent
     * in records of older code: shards then read the whole window.
     */
    input: {
      key: string;
      rows: number;
      sha256: string;
      buckets?: { count: number; parts: Array<{ bucket: number; key: string; rows: number; sha256: string }> };
    };
    sharding: typeof SHARDING;
  };
  codeVersion: string;
}

/** What one predict shard did; written after its forecasts, so it publishes them. */
export interface ShardRecord {
  format: "energy-forecast/run-shard";
  formatVersion: 1;
  runId: string;
  shard: ShardSpec;
  asOf: string;
  origin: string;
  model: string;
  modelVersion: number;
  /** Its forecasts: key, rows, SHA-256 of the file. */
  predictions: { key: string; rows: number; sha256: string };
  /** The prediction report of the shard's own series (stale and baseline ones included). */
  report: PredictReport;
  durationMs: number;
  at: string;
  codeVersion: string;
}

const JSON_TYPE = { contentType: "application/json" };
const PARQUET_TYPE = { contentType: "application/vnd.apache.parquet" };

/** Bucket files prepare writes at once (a remote store takes a request per object). */
const PARALLEL_WRITES = 8;

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/**
 * Throws a {@link ConfigError} (exit 2) unless `runId` can name a run folder on every backend
 * ({@link SAFE_RUN_ID}); `what` names where it came from.
 */
export function checkRunId(runId: string, what = "--run-id"): string {
  if (!SAFE_RUN_ID.test(runId)) {
    throw new ConfigError(
      `${what} ${JSON.stringify(runId)} cannot name a run folder in the store; use 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. run-2023-01-30)`,
    );
  }
  return runId;
}

/** A JSON record, undefined when it does not exist; one that does not parse is an error naming `fix`, or undefined with `lenient`. */
async function readJson<T>(storage: Storage, key: string, what: string, fix: string, lenient = false): Promise<T | undefined> {
  const bytes = await readIfExists(storage, key);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (cause) {
    if (lenient) return undefined;
    throw new PipelineError("run", `${what} ${key} in ${storage.uri} is not valid JSON; ${fix}`, { cause });
  }
}

/** The prepare record of run `runId`, or undefined when prepare has not completed. */
export async function readPrepareRecord(storage: Storage, runId: string): Promise<PrepareRecord | undefined> {
  return readJson<PrepareRecord>(
    storage,
    runPrepareKey(runId),
    "the prepare record",
    `run energy-forecast run --stage prepare --run-id ${runId} again after deleting it, or use a new --run-id`,
  );
}

/** The manifest of run `runId`, or undefined while it is not complete. */
export async function readRunManifest(storage: Storage, runId: string): Promise<RunManifest | undefined> {
  return readJson<RunManifest>(storage, runManifestKey(runId), "the run manifest", `delete that run folder (runs/${runId}/) and run the run again`);
}

/** The prepare record, or a `prepare-missing` {@link RunStageError} naming the command that writes it. */
async function requirePrepareRecord(storage: Storage, runId: string, stage: string): Promise<PrepareRecord> {
  const record = await readPrepareRecord(storage, runId);
  if (record) return record;
  throw new RunStageError(
    "prepare-missing",
    `the ${stage} stage of run ${runId} needs its prepare record ${runPrepareKey(runId)}, which is not in ${storage.uri}; run energy-forecast run --stage prepare --run-id ${runId} first (with the same --store and --run-id)`,
  );
}

/** Refuses an explicit as-of other than the one run `runId` was prepared (or run) for. */
export function checkSameAsOf(runId: string, recordedAsOf: string, asOf: number | undefined, stage: string): void {
  if (asOf === undefined || Date.parse(recordedAsOf) === asOf) return;
  throw new RunStageError(
    "as-of-mismatch",
    `the ${stage} stage got --as-of ${formatInstant(asOf)}, but run ${runId} is for as-of ${formatInstant(Date.parse(recordedAsOf))}; give every stage of a run the same --as-of (or none after prepare), or use a new --run-id`,
  );
}

/** What the prepare stage did: its record, and whether an earlier prepare had already written it (then nothing was done). */
export interface PrepareResult {
  record: PrepareRecord;
  again: boolean;
}

/**
 * The prepare stage of run `ctx.runId`: ingest, validate, train when due, then the feature window
 * and the prepare record (last). `asOf` undefined: the recorded one when prepared before, else
 * the clock's now. A failure is recorded in the run's `failure.json` as {@link runTick} does.
 */
export async function prepareRun(ctx: StepContext, options: Omit<TickOptions, "asOf"> & { asOf?: number }): Promise<PrepareResult> {
  const { storage, clock, logger, runId } = ctx;
  checkRunId(runId);
  const existing = await readPrepareRecord(storage, runId);
  if (existing) {
    checkSameAsOf(runId, existing.asOf, options.asOf, "prepare");
    logger.info(`run: run ${runId} is prepared already (${runPrepareKey(runId)}); nothing to do`);
    return { record: existing, again: true };
  }
  if (await storage.exists(runManifestKey(runId))) {
    throw new RunStageError(
      "staged-run",
      `run ${runId} is complete in ${storage.uri} and was not run in stages (it has a manifest but no prepare record); use a new --run-id for a staged run`,
    );
  }
  const startedAt = clock.now();
  const asOf = options.asOf ?? startedAt.getTime();
  const tick: TickOptions = { ...options, asOf };
  const { config } = tick;
  const visibleUntil = visibleUntilOf(asOf, config.window.delayDays);
  const timer = stepTimer();
  try {
    const first = await ingestAndTrain(ctx, tick, visibleUntil, timer.timed);
    const pinned = await timer.timed("snapshot", async () => {
      // The window the model reads (LOOKBACK_DAYS, or its reach when longer), pinned for every
      // shard. The reach is the configured model's shape (no calendar changes it): the artifact
      // need not be loaded here.
      const input = await readPredictInput(ctx, { visibleUntil, lookbackDays: tick.lookbackDays, reachHours: reachOf(tick.create({}, DANISH_CALENDAR)) });
      const panel = windowShape(input.features, input.keys, visibleUntil);
      const names = keyNames(input.keys);
      const schema = featureSchema(input.keys);
      // The buckets first (none for a window too narrow to split), then the whole window (their
      // row groups joined, not encoded again; finish puts it back in key order), then (below)
      // the record naming them all.
      const count = inputBucketCount(panel.keys.length);
      const parts: NonNullable<PrepareRecord["predict"]["input"]["buckets"]>["parts"] = [];
      const encoded: Uint8Array[] = [];
      let writes: Array<Promise<void>> = [];
      for (const { bucket, table } of count > 1 ? splitByBucket(input.features, input.keys, count) : []) {
        const key = runInputBucketKey(runId, bucket, count);
        const part = writeParquet(table, schema);
        encoded.push(part);
        parts.push({ bucket, key, rows: table.numRows(), sha256: sha256(part) });
        writes.push(storage.write(key, part, PARQUET_TYPE));
        if (writes.length >= PARALLEL_WRITES) {
          await Promise.all(writes);
          writes = [];
        }
      }
      await Promise.all(writes);
      const bytes = count > 1 ? splicedParquet(encoded).bytes : writeParquet(input.features.select(TIME_COLUMN, ...names, VALUE_COLUMN), schema);
      encoded.length = 0;
      await storage.write(runInputKey(runId), bytes, PARQUET_TYPE);
      return {
        keyColumns: input.keys,
        origin: new Date(panelEnd(panel)).toISOString(),
        gridStart: new Date(panel.start).toISOString(),
        series: panel.keys.map((k) => namedKey(k, input.keys)),
        input: { key: runInputKey(runId), rows: input.features.numRows(), sha256: sha256(bytes), ...(count > 1 ? { buckets: { count, parts } } : {}) },
      };
    });
    const record: PrepareRecord = {
      format: "energy-forecast/run-prepare",
      formatVersion: 1,
      runId,
      asOf: new Date(asOf).toISOString(),
      visibleUntil: new Date(visibleUntil).toISOString(),
      startedAt: startedAt.toISOString(),
      preparedAt: clock.now().toISOString(),
      durationsMs: timer.durationsMs,
      dataset: { name: config.dataset.name, keys: pinned.keyColumns.map((k) => k.name), unit: config.dataset.value.unit },
      ingest: first.ingest,
      validation: first.validation,
      train: first.train,
      predict: {
        model: tick.model,
        modelVersion: first.train.version,
        horizon: tick.horizon,
        lookbackDays: tick.lookbackDays,
        origin: pinned.origin,
        gridStart: pinned.gridStart,
        keyColumns: pinned.keyColumns,
        series: pinned.series,
        input: pinned.input,
        sharding: SHARDING,
      },
      codeVersion: codeVersion(),
    };
    await storage.write(runPrepareKey(runId), JSON.stringify(record, null, 1), JSON_TYPE);
    logger.info("run: prepared", { runId, asOf: formatInstant(asOf), model: `${tick.model}/v${first.train.version}`, series: pinned.series.length });
    return { record, again: false };
  } catch (error) {
    await recordFailure(storage, runId, asOf, timer.step, error, clock, logger);
    throw error;
  }
}

/**
 * The series, first and last hour of the prepared window, refusing (as one process would in
 * predict) a window with no series to forecast. The panel's values are not kept: at 100k series
 * they would stay alive beside every bucket prepare encodes.
 */
function windowShape(features: ColumnTable, keys: readonly KeyColumn[], visibleUntil: number): Pick<Panel, "keys" | "start" | "hours"> {
  const panel = panelFromTable(features, keys, `feature window before ${formatInstant(visibleUntil)}`);
  let live = 0;
  for (let s = 0; s < panel.keys.length; s++) if (forecastable(panel, s)) live++;
  if (live === 0) throw nothingToForecast(visibleUntil, panel.keys.length);
  return { keys: panel.keys, start: panel.start, hours: panel.hours };
}

/** What a predict shard did. */
export interface ShardResult {
  /** The shard's record (undefined only for a complete run whose shard of this N was never written). */
  record: ShardRecord | undefined;
  /** True when the shard (or the whole run) was done already: nothing was written. */
  again: boolean;
  /** True when the run is complete (its manifest exists). */
  complete: boolean;
}

/**
 * Predict shard `shard` of run `ctx.runId`: forecasts the series of its shard from the prepared
 * feature window with the pinned model version, writes its forecasts, then its record. Takes no
 * lock and writes nothing shared: only `runs/<runId>/shards/shard-K-of-N.{parquet,json}`.
 * `asOf`, when given, must be the prepared one.
 */
export async function predictShard(ctx: StepContext, options: { shard: ShardSpec; asOf?: number }): Promise<ShardResult> {
  const { storage, clock, logger, runId } = ctx;
  const { shard } = options;
  checkRunId(runId);
  const prepared = await requirePrepareRecord(storage, runId, "predict");
  checkSameAsOf(runId, prepared.asOf, options.asOf, "predict");
  const recordKey = runShardKey(runId, shard);
  const partKey = runShardPredictionsKey(runId, shard);
  // A record that does not parse is rewritten below, as if it were not there.
  const existing = await readJson<ShardRecord>(storage, recordKey, "the shard record", "run this shard again", true);
  if (await storage.exists(runManifestKey(runId))) {
    logger.info(`run: run ${runId} is complete; shard ${formatShard(shard)} has nothing to do`);
    return { record: existing, again: true, complete: true };
  }
  if (existing) {
    const bytes = await readIfExists(storage, partKey);
    if (bytes !== undefined && sha256(bytes) === existing.predictions.sha256) {
      logger.info(`run: shard ${formatShard(shard)} of run ${runId} is done already (${recordKey}); nothing to do`);
      return { record: existing, again: true, complete: false };
    }
  }
  const t0 = performance.now();
  const p = prepared.predict;
  const features = await readShardInput(storage, prepared, shard);
  const predicted = await forecastWindow(ctx, {
    visibleUntil: Date.parse(prepared.visibleUntil),
    model: p.model,
    ref: p.modelVersion,
    horizon: p.horizon,
    lookbackDays: p.lookbackDays,
    features,
    keys: p.keyColumns,
    shard,
    grid: p.gridStart === undefined ? undefined : { start: Date.parse(p.gridStart), end: Date.parse(p.origin) },
  });
  if (predicted.report.origin !== p.origin) {
    throw new RunStageError(
      "shard-mismatch",
      `shard ${formatShard(shard)} of run ${runId} forecast from origin ${predicted.report.origin}, the prepare record says ${p.origin}; the prepared feature window ${p.input.key} changed: prepare the run again under a new --run-id`,
    );
  }
  const bytes = writeParquet(predicted.tables.predictions, predictionsSchema(p.keyColumns));
  await storage.write(partKey, bytes, PARQUET_TYPE);
  const record: ShardRecord = {
    format: "energy-forecast/run-shard",
    formatVersion: 1,
    runId,
    shard: { index: shard.index, count: shard.count },
    asOf: prepared.asOf,
    origin: p.origin,
    model: p.model,
    modelVersion: p.modelVersion,
    predictions: { key: partKey, rows: predicted.tables.predictions.numRows(), sha256: sha256(bytes) },
    report: predicted.report,
    durationMs: Math.round(performance.now() - t0),
    at: clock.now().toISOString(),
    codeVersion: codeVersion(),
  };
  await storage.write(recordKey, JSON.stringify(record, null, 1), JSON_TYPE);
  logger.info("run: shard done", { runId, shard: formatShard(shard), series: record.report.series, rows: record.predictions.rows });
  return { record, again: false, complete: false };
}

/** The prepared feature window, checked against the SHA-256 its record gives. */
async function readPreparedInput(storage: Storage, prepared: PrepareRecord): Promise<ColumnTable> {
  const { input, keyColumns } = prepared.predict;
  const bytes = await readIfExists(storage, input.key);
  if (bytes === undefined || sha256(bytes) !== input.sha256) {
    throw new RunStageError(
      "shard-mismatch",
      `the prepared feature window ${input.key} of run ${prepared.runId} is ${bytes === undefined ? "missing" : "not the file its prepare record names (SHA-256 differs)"} in ${storage.uri}; prepare the run again under a new --run-id`,
    );
  }
  return readParquet(bytes, featureSchema(keyColumns), input.key);
}

/**
 * The rows shard `shard` forecasts from: the buckets of the prepared window that hold its series
 * (each checked against its SHA-256), or the whole window when it needs every bucket or the record
 * has none (older code). Other series' rows a bucket holds (when N does not divide the bucket
 * count) are skipped by the panel.
 */
async function readShardInput(storage: Storage, prepared: PrepareRecord, shard: ShardSpec): Promise<ColumnTable> {
  const { input, keyColumns } = prepared.predict;
  const wanted = input.buckets === undefined ? [] : bucketsOfShard(shard, input.buckets.count);
  // Every bucket (one shard, or N prime to the bucket count): the whole window is one file to decode.
  if (input.buckets === undefined || wanted.length === input.buckets.count) return readPreparedInput(storage, prepared);
  const byBucket = new Map(input.buckets.parts.map((part) => [part.bucket, part]));
  const schema = featureSchema(keyColumns);
  const tables: ColumnTable[] = [];
  for (const bucket of wanted) {
    const part = byBucket.get(bucket);
    if (part === undefined) continue;
    const bytes = await readIfExists(storage, part.key);
    if (bytes === undefined || sha256(bytes) !== part.sha256) {
      throw new RunStageError(
        "shard-mismatch",
        `the prepared feature window's bucket ${part.key} of run ${prepared.runId} is ${bytes === undefined ? "missing" : "not the file its prepare record names (SHA-256 differs)"} in ${storage.uri}; prepare the run again under a new --run-id`,
      );
    }
    tables.push(readParquet(bytes, schema, part.key));
  }
  return concatBuckets(tables, keyColumns);
}

/** What finish did: the run's manifest, and whether an earlier finish had written it (then nothing was done). */
export interface FinishResult {
  manifest: RunManifest;
  again: boolean;
}

/** Options of {@link finishRun}. */
export interface FinishOptions {
  /** When given, must be the prepared as-of. */
  asOf?: number;
  alerts: AlertPolicy;
  /** Days of origins the compacted windows keep (HISTORY_WINDOW_DAYS). */
  windowDays: number;
}

/**
 * The finish stage of run `ctx.runId`: gathers every shard of one shard count (refusing, with the
 * missing ones named, while any is missing, and when shards of different counts exist), monitors,
 * writes the reference outputs from the union of the shards and the manifest last. A refusal or
 * failure after the prepare record was found is recorded in the run's `failure.json`.
 */
export async function finishRun(ctx: StepContext, options: FinishOptions): Promise<FinishResult> {
  const { storage, clock, logger, runId } = ctx;
  checkRunId(runId);
  const prepared = await requirePrepareRecord(storage, runId, "finish");
  checkSameAsOf(runId, prepared.asOf, options.asOf, "finish");
  const done = await readRunManifest(storage, runId);
  if (done) {
    logger.info(`run: run ${runId} is complete already (${runManifestKey(runId)}); nothing to do`);
    return { manifest: done, again: true };
  }
  const asOf = Date.parse(prepared.asOf);
  const visibleUntil = Date.parse(prepared.visibleUntil);
  const timer = stepTimer("gather");
  try {
    const gathered = await timer.timed("gather", () => gatherShards(storage, prepared));
    const monitored = await timer.timed("monitor", () => monitor(ctx, { visibleUntil, policy: options.alerts, windowDays: options.windowDays }));
    const p = prepared.predict;
    const written = await timer.timed("write", () =>
      writePredictionOutputs(
        storage,
        runId,
        {
          X: gathered.features.select(TIME_COLUMN, ...keyNames(p.keyColumns)),
          y: gathered.features.select(TIME_COLUMN, ...keyNames(p.keyColumns), VALUE_COLUMN),
          predictions: gathered.predictions,
        },
        p.keyColumns,
        { windowDays: options.windowDays },
      ),
    );
    const m: MonitorReport = monitored.report;
    const manifest: RunManifest = {
      format: "energy-forecast/run-manifest",
      formatVersion: 1,
      runId,
      status: "succeeded",
      asOf: prepared.asOf,
      visibleUntil: prepared.visibleUntil,
      startedAt: prepared.startedAt,
      finishedAt: clock.now().toISOString(),
      durationsMs: { ...prepared.durationsMs, predict: gathered.predictMs, ...timer.durationsMs },
      dataset: prepared.dataset,
      ingest: prepared.ingest,
      validation: prepared.validation,
      train: prepared.train,
      monitor: monitorSection(m),
      predict: gathered.report,
      outputs: manifestOutputs(runId, prepared.validation.key),
      codeVersion: codeVersion(),
      store: publicStoreLocation(storage.uri),
      stages: { shards: gathered.count },
    };
    logger.info("run: tick complete", { asOf: formatInstant(asOf), shards: gathered.count, historyRows: written.historyRows, mape7d: m.mape7d });
    await storage.write(runManifestKey(runId), JSON.stringify(manifest, null, 1), JSON_TYPE);
    return { manifest, again: false };
  } catch (error) {
    await recordFailure(storage, runId, asOf, timer.step, error, clock, logger);
    throw error;
  }
}

/** Lists a few items, then how many more: `0/4, 2/4 and 3 more`. */
function listSome(items: readonly string[], max = 12): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

/**
 * Every shard of the run, checked: one shard count, no shard missing, each agreeing with the
 * prepare record, its forecasts matching their checksum, and together covering every series once.
 */
async function gatherShards(
  storage: Storage,
  prepared: PrepareRecord,
): Promise<{ count: number; predictions: ColumnTable; features: ColumnTable; report: PredictReport; predictMs: number }> {
  const { runId } = prepared;
  const p = prepared.predict;
  const found: ShardSpec[] = [];
  for (const key of await storage.list(runShardsPrefix(runId))) {
    const m = RUN_SHARD_KEY.exec(key);
    if (m && m[1] === runId) found.push({ index: Number(m[2]), count: Number(m[3]) });
  }
  const again = `run energy-forecast run --stage predict --run-id ${runId} --shard K/N`;
  if (found.length === 0) {
    throw new RunStageError(
      "shards-missing",
      `run ${runId} has no finished predict shard in ${storage.uri}; ${again} for every K of 0..N-1 first, then finish again`,
    );
  }
  const counts = [...new Set(found.map((s) => s.count))].sort((a, b) => a - b);
  if (counts.length > 1) {
    const byCount = counts.map(
      (n) =>
        `${listSome(
          found
            .filter((s) => s.count === n)
            .sort((a, b) => a.index - b.index)
            .map(formatShard),
        )} (N=${n})`,
    );
    throw new RunStageError(
      "shard-count-mismatch",
      `the predict shards of run ${runId} disagree on the shard count: ${byCount.join("; ")}; every shard of a run must use the same N: delete the shard files of the count you abandoned under ${runShardsPrefix(runId)} and finish again`,
    );
  }
  const count = counts[0];
  const have = new Set(found.map((s) => s.index));
  const missing: string[] = [];
  for (let k = 0; k < count; k++) if (!have.has(k)) missing.push(`${k}/${count}`);
  if (missing.length > 0) {
    throw new RunStageError(
      "shards-missing",
      `run ${runId} is missing predict shard(s) ${listSome(missing)} of ${count} in ${storage.uri}; run energy-forecast run --stage predict --run-id ${runId} --shard K/${count} for each, then finish again`,
    );
  }
  const schema = predictionsSchema(p.keyColumns);
  const tables: ColumnTable[] = [];
  const reports: PredictReport[] = [];
  let predictMs = 0;
  for (let index = 0; index < count; index++) {
    const shard = { index, count };
    const key = runShardKey(runId, shard);
    const fix = `run energy-forecast run --stage predict --run-id ${runId} --shard ${formatShard(shard)} again, then finish again`;
    const record = await readJson<ShardRecord>(storage, key, "the shard record", fix, true);
    if (record === undefined && (await storage.exists(key))) {
      throw new RunStageError("shard-mismatch", `the record ${key} of shard ${formatShard(shard)} of run ${runId} is not valid JSON; ${fix}`);
    }
    if (!record)
      throw new RunStageError("shards-missing", `run ${runId} is missing predict shard(s) ${formatShard(shard)} of ${count} in ${storage.uri}; ${fix}`);
    const disagree =
      record.runId !== runId
        ? `run id ${record.runId}`
        : record.shard?.index !== index || record.shard?.count !== count
          ? `shard ${record.shard?.index}/${record.shard?.count}`
          : record.modelVersion !== p.modelVersion || record.model !== p.model
            ? `model ${record.model} v${record.modelVersion} (prepared: ${p.model} v${p.modelVersion})`
            : record.origin !== p.origin
              ? `origin ${record.origin} (prepared: ${p.origin})`
              : undefined;
    if (disagree !== undefined) {
      throw new RunStageError(
        "shard-mismatch",
        `shard ${formatShard(shard)} of run ${runId} disagrees with the prepare record: its record says ${disagree}; ${fix}`,
      );
    }
    const bytes = await readIfExists(storage, runShardPredictionsKey(runId, shard));
    if (bytes === undefined || sha256(bytes) !== record.predictions.sha256) {
      throw new RunStageError(
        "shard-mismatch",
        `the forecasts of shard ${formatShard(shard)} of run ${runId} (${runShardPredictionsKey(runId, shard)}) are ${bytes === undefined ? "missing" : "not those its record names (SHA-256 differs)"}; ${fix}`,
      );
    }
    tables.push(readParquet(bytes, schema, runShardPredictionsKey(runId, shard)));
    reports.push(record.report);
    predictMs = Math.max(predictMs, record.durationMs);
  }
  const covered = reports.reduce((n, r) => n + r.series + r.stale.length, 0);
  if (covered !== p.series.length) {
    throw new RunStageError(
      "shard-mismatch",
      `the ${count} shard(s) of run ${runId} cover ${covered} series, the prepared window holds ${p.series.length}; run every shard again with the code version that prepared the run (${prepared.codeVersion}), then finish again`,
    );
  }
  // A window written bucket by bucket is read back in the feature store's order (key, then hour).
  const read = await readPreparedInput(storage, prepared);
  const features = p.input.buckets === undefined ? read : inKeyOrder(read, p.keyColumns);
  const all = concatRows(tables, tables[0].columnNames());
  const predictions = orderPredictions(all, p.keyColumns);
  return { count, predictions, features, report: mergeReports(prepared, reports, predictions.numRows()), predictMs };
}

/** The one-process prediction report from the shards' reports: stale and baseline series in key order. */
function mergeReports(prepared: PrepareRecord, reports: readonly PredictReport[], rows: number): PredictReport {
  const p = prepared.predict;
  const id = (key: Record<string, KeyValue>): string => seriesId(p.keyColumns.map((c) => key[c.name]));
  const rank = new Map(p.series.map((key, i) => [id(key), i]));
  const byKey = <T extends { key: Record<string, KeyValue> }>(xs: T[]): T[] => xs.sort((a, b) => (rank.get(id(a.key)) ?? 0) - (rank.get(id(b.key)) ?? 0));
  return {
    model: p.model,
    modelVersion: p.modelVersion,
    origin: p.origin,
    horizon: p.horizon,
    series: reports.reduce((n, r) => n + r.series, 0),
    rows,
    inputRows: p.input.rows,
    stale: byKey(reports.flatMap((r) => r.stale)),
    baseline: byKey(reports.flatMap((r) => r.baseline)),
  };
}
