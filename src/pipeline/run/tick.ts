import type { Clock, Logger } from "../core/effects.js";
import type { StepContext } from "../core/step.js";
import { HOUR_MS, formatInstant, visibleUntil as visibleUntilOf } from "../time/index.js";
import { codeVersion } from "../config/version.js";
import type { Config } from "../config/config.js";
import { ingest } from "../ingest/ingest.js";
import { FeatureStore, type FeatureGroupRef } from "../featurestore/store.js";
import type { Source } from "../ingest/source.js";
import { monitor, type MonitorReport } from "../monitor/monitor.js";
import type { AlertPolicy } from "../monitor/alerts.js";
import { predict } from "../predict/predict.js";
import { writePredictionOutputs } from "../predict/outputs.js";
import { ModelRegistry } from "../registry/registry.js";
import { ModelNotRegisteredError } from "../registry/errors.js";
import { NotFoundError, PipelineError } from "../core/errors.js";
import { outputKeys, runFailureKey, runFileKey, runManifestKey } from "../storage/layout.js";
import type { Storage } from "../storage/storage.js";
import { publicStoreLocation, redactLocalPaths } from "../storage/location.js";
import { train } from "../train/train.js";
import type { ForecasterFactory } from "../train/candidates.js";
import type { RunManifest } from "./manifest.js";

/** When the DAG retrains: every run, never, or when production is older than `maxAgeHours` of data. */
export type TrainPolicy = { kind: "always" } | { kind: "never" } | { kind: "max-age"; maxAgeHours: number };

/** Settings of one scheduled tick. */
export interface TickOptions {
  /** The settings: dataset, extraction window and data delay (ingest reads the rest). */
  config: Config;
  /** Where ingest reads the rows from. */
  source: Source;
  asOf: number;
  model: string;
  create: ForecasterFactory;
  trainPolicy: TrainPolicy;
  alerts: AlertPolicy;
  horizon: number;
  /** Folds of the training backtest that calibrates the intervals. */
  folds: number;
  lookbackDays: number;
}

const PRODUCTION = "production";

/**
 * One scheduled tick of the DAG: ingest -> validate -> train when due -> monitor -> predict.
 * Time is simulated honestly: at as-of T with data delay D only data before T - D is read from
 * the source and the feature store. Every step runs with the tick's own context (its store, run id,
 * clock and logger) and explicit values; the run manifest is written last.
 */
export async function runTick(ctx: StepContext, options: TickOptions): Promise<RunManifest> {
  const { storage, logger, clock, runId } = ctx;
  const { config } = options;
  const startedAt = clock.now();
  const visibleUntil = visibleUntilOf(options.asOf, config.window.delayDays);
  const timer = stepTimer();
  const { timed, durationsMs } = timer;
  try {
    const first = await ingestAndTrain(ctx, options, visibleUntil, timed);
    const version = first.train.version;
    const monitored = await timed("monitor", () => monitor(ctx, { visibleUntil, policy: options.alerts, windowDays: config.historyWindowDays }));
    const predicted = await timed("predict", () =>
      predict(ctx, { visibleUntil, model: options.model, ref: version, horizon: options.horizon, lookbackDays: options.lookbackDays }),
    );
    const written = await timed("write", () =>
      writePredictionOutputs(storage, runId, predicted.tables, predicted.keys, { windowDays: config.historyWindowDays }),
    );
    const m = monitored.report;
    const manifest: RunManifest = {
      format: "energy-forecast/run-manifest",
      formatVersion: 1,
      runId,
      status: "succeeded",
      asOf: new Date(options.asOf).toISOString(),
      visibleUntil: new Date(visibleUntil).toISOString(),
      startedAt: startedAt.toISOString(),
      finishedAt: clock.now().toISOString(),
      durationsMs,
      dataset: { name: config.dataset.name, keys: predicted.keys.map((k) => k.name), unit: config.dataset.value.unit },
      ingest: first.ingest,
      validation: first.validation,
      train: first.train,
      monitor: monitorSection(m),
      predict: { ...predicted.report, origin: predicted.report.origin },
      outputs: manifestOutputs(runId, first.validation.key),
      codeVersion: codeVersion(),
      // A local store by its path relative to the working directory: manifests hold no machine paths.
      store: publicStoreLocation(storage.uri),
    };
    logger.info("run: tick complete", { asOf: formatInstant(options.asOf), historyRows: written.historyRows, mape7d: m.mape7d });
    await storage.write(runManifestKey(runId), JSON.stringify(manifest, null, 1), { contentType: "application/json" });
    return manifest;
  } catch (error) {
    await recordFailure(storage, runId, options.asOf, timer.step, error, clock, logger);
    throw error;
  }
}

/** Times the steps of a run: `timed(name, f)` runs step `name` and records its milliseconds; `step` is the one running (or last run). */
export interface StepTimer {
  readonly step: string;
  durationsMs: Record<string, number>;
  timed<T>(name: string, f: () => Promise<T>): Promise<T>;
}

/** A {@link StepTimer} starting at `first` (the step a failure before any timed step is blamed on). */
export function stepTimer(first = "ingest"): StepTimer {
  let step = first;
  const durationsMs: Record<string, number> = {};
  return {
    get step() {
      return step;
    },
    durationsMs,
    async timed<T>(name: string, f: () => Promise<T>): Promise<T> {
      step = name;
      const t0 = performance.now();
      const out = await f();
      durationsMs[name] = Math.round(performance.now() - t0);
      return out;
    },
  };
}

/** What the first steps of a tick did, as its manifest records them. */
export interface IngestAndTrain {
  ingest: RunManifest["ingest"];
  validation: RunManifest["validation"];
  /** The version predicted with: the one trained now, else production's. */
  train: RunManifest["train"];
}

/**
 * The first steps of every tick (and of a staged run's prepare): ingest and validate, decide
 * whether to train, train when due. Returns the manifest's sections of them.
 */
export async function ingestAndTrain(ctx: StepContext, options: TickOptions, visibleUntil: number, timed: StepTimer["timed"]): Promise<IngestAndTrain> {
  const { storage, group } = ctx;
  const { config } = options;
  const ingested = await timed("ingest", () => ingest(ctx, { config, source: options.source, asOf: options.asOf }));
  const decision = await timed("decide", () => trainDecision(storage, group, options, visibleUntil));
  let version = decision.version;
  if (decision.train) {
    const report = await timed("train", () =>
      train(ctx, {
        model: options.model,
        create: options.create,
        trials: [{}],
        folds: options.folds,
        every: 24,
        horizon: options.horizon,
        visibleUntil,
        alias: PRODUCTION,
        maxSeries: config.forecast.trainMaxSeries,
      }),
    );
    version = report.registered.version;
  }
  return {
    ingest: {
      window: ingested.window.extracted,
      ...(ingested.incremental ? { incremental: ingested.incremental } : {}),
      ...(ingested.requests !== undefined ? { requests: ingested.requests } : {}),
      dst: ingested.transform.dst,
      rows: ingested.rows,
      series: ingested.series,
      added: ingested.featureStore.added,
      changed: ingested.featureStore.changed,
      featureStoreCommit: ingested.featureStore.commit,
    },
    validation: { success: ingested.validation.success, evaluated: ingested.validation.evaluated, key: ingested.validation.key },
    train: { trained: decision.train, reason: decision.reason, model: options.model, version: version! },
  };
}

/** The manifest's monitoring section. */
export function monitorSection(m: MonitorReport): RunManifest["monitor"] {
  return { forecasts: m.forecasts, scored: m.scored, mape: m.mape, mape7d: m.mape7d, coverage80_7d: m.coverage80_7d, alerts: m.alerts };
}

/** The outputs a complete run's manifest names. */
export function manifestOutputs(runId: string, validationKey: string): RunManifest["outputs"] {
  return {
    predictions: runFileKey(runId, outputKeys.predictions),
    X: runFileKey(runId, outputKeys.X),
    y: runFileKey(runId, outputKeys.y),
    history: outputKeys.history,
    metrics: outputKeys.metrics,
    validation: validationKey,
  };
}

/**
 * Whether the tick trains, why, and which version it predicts with otherwise. Under max-age the
 * age counts hours of data the production model has not seen (up to the latest visible
 * observation), not hours of clock: when the source stops publishing, retraining on the same data
 * would only register the same model again at every tick.
 */
async function trainDecision(
  storage: Storage,
  group: FeatureGroupRef,
  options: TickOptions,
  visibleUntil: number,
): Promise<{ train: boolean; reason: string; version?: number }> {
  const registry = new ModelRegistry(storage);
  let current: Awaited<ReturnType<ModelRegistry["metadata"]>> | undefined;
  try {
    current = await registry.metadata(options.model, PRODUCTION);
  } catch (error) {
    if (!(error instanceof ModelNotRegisteredError)) throw error;
  }
  const policy = options.trainPolicy;
  if (!current) {
    if (policy.kind === "never") {
      throw new PipelineError(
        "run",
        `no production version of model "${options.model}" in ${storage.uri} and the train policy is "never"; run energy-forecast train first or use --train always`,
      );
    }
    return { train: true, reason: "no production model yet" };
  }
  if (policy.kind === "always") return { train: true, reason: "policy: every run" };
  if (policy.kind === "never") return { train: false, reason: "policy: never", version: current.version };
  const latest = Math.min(visibleUntil - HOUR_MS, await latestObservation(storage, group));
  const ageHours = Math.max(0, (latest - Date.parse(current.trainingWindow.end)) / HOUR_MS);
  const reason = `production v${current.version} has not seen ${ageHours} h of data (max ${policy.maxAgeHours} h)`;
  return ageHours >= policy.maxAgeHours ? { train: true, reason } : { train: false, reason, version: current.version };
}

/** The last hour the feature group holds (epoch ms), -Infinity when it is empty. */
async function latestObservation(storage: Storage, group: FeatureGroupRef): Promise<number> {
  return (await new FeatureStore(storage, group).latestHour()) ?? -Infinity;
}

/** Records why and at which step run `runId` failed (`runs/<runId>/failure.json`); never throws. */
export async function recordFailure(storage: Storage, runId: string, asOf: number, step: string, error: unknown, clock: Clock, logger: Logger): Promise<void> {
  try {
    // The message may name local files (a source, the store): kept without the machine's paths.
    const message = redactLocalPaths(error instanceof Error ? error.message : String(error));
    const failure = { format: "energy-forecast/run-failure", runId, asOf: new Date(asOf).toISOString(), step, error: message, at: clock.now().toISOString() };
    await storage.write(runFailureKey(runId), JSON.stringify(failure, null, 1), { contentType: "application/json" });
  } catch (secondary) {
    // The store itself may be what failed; the original error is what the caller must see.
    if (!(secondary instanceof NotFoundError)) logger.warn("run: could not record the failure", { error: String(secondary) });
  }
}
