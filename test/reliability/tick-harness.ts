/**
 * Runs scheduled ticks in-process, as `energy-forecast run` does (same configuration, options
 * and steps), with a fixed clock, an in-memory logger and the embedded data, so the reliability
 * tests can put any {@link Storage} (a faulty one) under a real tick.
 */
import { fixedClock, memoryLogger } from "../../src/pipeline/core/effects.js";
import { loadConfig, type Config } from "../../src/pipeline/config/config.js";
import { parseInstant } from "../../src/pipeline/time/index.js";
import { EMBEDDED_DATA_PATH } from "../../src/pipeline/config/paths.js";
import { fileSource } from "../../src/pipeline/ingest/file-source.js";
import type { Source } from "../../src/pipeline/ingest/source.js";
import { parseTrainPolicy } from "../../src/pipeline/run/policy.js";
import { runTick, type TickOptions } from "../../src/pipeline/run/tick.js";
import type { RunManifest } from "../../src/pipeline/run/manifest.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { forecasterFactory } from "../../src/pipeline/train/candidates.js";

/** The configuration the CLI builds from this environment (two training folds to keep it quick). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ TRAIN_FOLDS: "2", ...env }, { logLevel: "silent" });
}

/** Tick options as `src/cli/tick-options.ts` builds them from a configuration and `--train` (the as-of too; not the configuration and source). */
export function tickOptionsFor(config: Config, asOf: string, train = config.forecast.trainPolicy): Omit<TickOptions, "config" | "source"> {
  const f = config.forecast;
  return {
    asOf: parseInstant(asOf, "as-of"),
    model: f.model,
    create: forecasterFactory(f.model),
    trainPolicy: parseTrainPolicy(train),
    alerts: { maxMape7d: config.alerts.maxMape7d, minCoverage80: config.alerts.minCoverage80 },
    horizon: f.horizon,
    folds: f.folds,
    lookbackDays: f.lookbackDays,
  };
}

/** One source for all ticks of a test file: the embedded CSV is parsed once and cached. */
let shared: Source | undefined;
export function embeddedSource(): Source {
  return (shared ??= fileSource(EMBEDDED_DATA_PATH));
}

/** Runs one tick at `asOf` against `storage`; the clock reads the as-of itself. */
export async function tick(storage: Storage, asOf: string, runId: string, train?: string, config = testConfig()): Promise<RunManifest> {
  const options = tickOptionsFor(config, asOf, train);
  const ctx = { storage, group: config.featureGroup, runId, clock: fixedClock(new Date(options.asOf)), logger: memoryLogger() };
  return runTick(ctx, { ...options, config, source: embeddedSource() });
}
