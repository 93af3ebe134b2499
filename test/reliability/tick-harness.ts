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
import type { RawColumns } from "../../src/pipeline/ingest/records.js";
import { parseTrainPolicy } from "../../src/pipeline/run/policy.js";
import { runTick, type TickOptions } from "../../src/pipeline/run/tick.js";
import type { RunManifest } from "../../src/pipeline/run/manifest.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { forecasterFactory } from "../../src/pipeline/train/candidates.js";
import { SMALL_PANEL_ENV } from "../support/small-panel.js";

/** The configuration the CLI builds from this environment (two training folds to keep it quick). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ TRAIN_FOLDS: "2", ...env }, { logLevel: "silent" });
}

/**
 * {@link testConfig} on the small panel (test/support/small-panel.ts: 4 series instead of 76),
 * for tests whose subject is storage, not the width of the data: every step and write of a tick
 * is the same, only the rows are fewer.
 */
export function smallConfig(env: Record<string, string> = {}): Config {
  return testConfig({ ...SMALL_PANEL_ENV, ...env });
}

/** Tick options as `src/cli/tick-options.ts` builds them from a configuration and `--train` (the as-of too; not the configuration and source). */
export function tickOptionsFor(config: Config, asOf: string, train = config.forecast.trainPolicy): Omit<TickOptions, "config" | "source"> {
  const f = config.forecast;
  return {
    asOf: parseInstant(asOf, "as-of"),
    model: f.model,
    create: forecasterFactory(f.model, f.horizon),
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

/** Runs one tick at `asOf` against `storage` (on `source`, default the embedded data); the clock reads the as-of itself. */
export async function tick(
  storage: Storage,
  asOf: string,
  runId: string,
  train?: string,
  config = testConfig(),
  source = embeddedSource(),
): Promise<RunManifest> {
  const options = tickOptionsFor(config, asOf, train);
  const ctx = { storage, group: config.featureGroup, runId, clock: fixedClock(new Date(options.asOf)), logger: memoryLogger() };
  return runTick(ctx, { ...options, config, source });
}

/**
 * `source` with its extracts remembered by (range, spec, filter): the embedded CSV is streamed
 * and parsed whole by every extract, the same one for every tick of a test at one as-of. Each
 * call gets its own copy, so a caller that changes what it got cannot change a later tick's rows.
 */
export function memoSource(source: Source): Source {
  const extracts = new Map<string, Promise<RawColumns>>();
  return {
    description: source.description,
    extent: (spec) => source.extent(spec),
    async extract(range, spec, filter) {
      const key = JSON.stringify([range, spec, filter]);
      let pending = extracts.get(key);
      if (!pending) {
        pending = source.extract(range, spec, filter);
        extracts.set(key, pending);
        pending.catch(() => extracts.delete(key));
      }
      return structuredClone(await pending);
    },
  };
}

let small: { config: Config; source: Source } | undefined;
/**
 * {@link tick} on the small panel ({@link smallConfig}), with the embedded data's extracts
 * remembered ({@link memoSource}): same steps, writes and storage calls, fewer rows.
 */
export async function smallTick(storage: Storage, asOf: string, runId: string, train?: string): Promise<RunManifest> {
  small ??= { config: smallConfig(), source: memoSource(embeddedSource()) };
  return tick(storage, asOf, runId, train, small.config, small.source);
}
