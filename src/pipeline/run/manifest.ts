import type { PredictReport } from "../predict/predict.js";
import { NotFoundError, PipelineError } from "../core/errors.js";
import { RUN_MANIFEST_KEY, RUNS_PREFIX } from "../storage/layout.js";
import type { Storage } from "../storage/storage.js";

/**
 * The record of one complete scheduled tick. Written last, so a manifest exists only for a run
 * that finished every step; the report's Runs page and `backfill`'s resume read these.
 */
export interface RunManifest {
  format: "energy-forecast/run-manifest";
  formatVersion: 1;
  runId: string;
  status: "succeeded";
  /** The tick's reference time and the data visible to it (as-of minus the data delay). */
  asOf: string;
  visibleUntil: string;
  startedAt: string;
  finishedAt: string;
  durationsMs: Record<string, number>;
  /** The dataset of the run: preset, key columns, unit. */
  dataset?: { name: string; keys: string[]; unit: string };
  ingest: {
    window: [string, string];
    /** Incremental extraction: the store's latest hour before the run, the revision overlap, whether nothing was new. */
    incremental?: { storeLatest: string; revisionHours: number; skipped: boolean };
    /** HTTP requests the source made (API). */
    requests?: number;
    /** Local wall times read by the daylight-saving rules. */
    dst?: { nonexistent: number; repeated: number };
    rows: number;
    series: number;
    /** Rows new to the store, and rows whose stored value changed (revisions). */
    added: number;
    changed: number;
    featureStoreCommit: number;
  };
  validation: { success: boolean; evaluated: number; key: string };
  train: { trained: boolean; reason: string; model: string; version: number };
  monitor: { forecasts: number; scored: number; mape: number | null; mape7d: number | null; coverage80_7d: number | null; alerts: string[] };
  /** What batch prediction did, including stale (not forecast) and baseline (too new) series. */
  predict: PredictReport;
  outputs: Record<string, string>;
  codeVersion: string;
  /** The store: `gs://bucket/prefix`, or a local one by its path relative to the working directory (never an absolute path). */
  store: string;
  /** A run made in stages (`run --stage prepare|predict|finish`, or `run --workers N`): how many predict shards it had. */
  stages?: { shards: number };
}

/** A run that did not finish: why, and at which step. Kept for the report; never read by resume. */
export interface RunFailure {
  format: "energy-forecast/run-failure";
  runId: string;
  asOf: string;
  step: string;
  error: string;
  at: string;
}

/** Every complete run's manifest, oldest as-of first. */
export async function listManifests(storage: Storage): Promise<RunManifest[]> {
  const keys = (await storage.list(RUNS_PREFIX)).filter((k) => RUN_MANIFEST_KEY.test(k));
  const manifests: RunManifest[] = [];
  for (const key of keys) {
    let text: string;
    try {
      text = new TextDecoder().decode(await storage.read(key));
    } catch (error) {
      if (error instanceof NotFoundError) continue;
      throw error;
    }
    try {
      manifests.push(JSON.parse(text) as RunManifest);
    } catch (cause) {
      throw new PipelineError("run", `run manifest ${key} is not valid JSON; delete that run folder and rerun its tick`, { cause });
    }
  }
  return manifests.sort((a, b) => a.asOf.localeCompare(b.asOf) || a.finishedAt.localeCompare(b.finishedAt));
}
