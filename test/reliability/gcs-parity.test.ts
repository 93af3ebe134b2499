import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnTable } from "arquero";
import { runCli } from "../support/cli.js";
import { startGcsEmulator, type GcsEmulator } from "../support/gcs-emulator.js";
import { startGcsPreconditionProxy, type GcsPreconditionProxy } from "../support/gcs-precondition-proxy.js";
import { createGcsStorage } from "../../src/pipeline/storage/gcs.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import type { RunManifest } from "../../src/pipeline/run/manifest.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { checkStore, featureRows, readTable, type StoreSummary } from "./store-checks.js";

const BUCKET = "energy-parity";
const PREFIX = "store";
const MODEL = "gbm-blend";
const BACKFILL = ["backfill", "--from", "2023-01-27T00:00", "--to", "2023-01-29T00:00", "--every", "24"];
const RUN_ID = /(run|backfill)-\d{8}T\d{6}Z-[0-9a-f]{6}/g;

/** Rows of a table without the columns that name the run, in a fixed order. */
function rowsOf(table: ColumnTable, order: string[]): object[] {
  const keep = table.columnNames().filter((c) => c !== "run_id");
  return table
    .select(keep)
    .orderby(...order)
    .objects();
}

/** The parts of a run manifest that do not depend on when, where or as which run it ran. */
function stable(m: RunManifest): object {
  return {
    asOf: m.asOf,
    visibleUntil: m.visibleUntil,
    ingest: m.ingest,
    validation: { success: m.validation.success, evaluated: m.validation.evaluated },
    train: m.train,
    monitor: m.monitor,
    predict: m.predict,
    codeVersion: m.codeVersion,
  };
}

// The same backfill against the GCS emulator (behind the proxy that enforces the lock's
// ifGenerationMatch precondition, as real GCS does) and against a local directory produces the
// same objects and the same table contents, apart from run ids and times.
describe("the same backfill on GCS and on local disk", () => {
  let dir: string;
  let emulator: GcsEmulator;
  let proxy: GcsPreconditionProxy;
  let previousHost: string | undefined;
  let local: Storage;
  let gcs: Storage;
  let onDisk: StoreSummary;
  let inBucket: StoreSummary;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "reliability-parity-"));
    emulator = await startGcsEmulator();
    proxy = await startGcsPreconditionProxy(emulator.endpoint);
    previousHost = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = proxy.endpoint;
    // Both at once: training blocks each process's event loop for seconds under that load, longer
    // than the emulator keeps idle connections, which the GCS store must ride over (see
    // gcs-stale-connection.test.ts).
    const env = { TRAIN_FOLDS: "2" };
    const cloudEnv = { ...env, STORAGE_EMULATOR_HOST: proxy.endpoint, GOOGLE_CLOUD_PROJECT: "demo-energy-forecast" };
    const [a, b] = await Promise.all([
      runCli(["--store", join(dir, "local"), ...BACKFILL], env),
      runCli(["--store", `gs://${BUCKET}/${PREFIX}`, ...BACKFILL], cloudEnv),
    ]);
    if (a.code !== 0) throw new Error(`local backfill failed: ${a.stderr}`);
    if (b.code !== 0) throw new Error(`GCS backfill failed: ${b.stderr}`);
    local = createLocalStorage(join(dir, "local"));
    gcs = createGcsStorage({ bucket: BUCKET, prefix: PREFIX, projectId: "demo-energy-forecast", retry: false });
    [onDisk, inBucket] = await Promise.all([checkStore(local), checkStore(gcs)]);
  }, 600_000);
  afterAll(async () => {
    if (previousHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = previousHost;
    await proxy?.stop();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes the same objects, run ids aside, and releases the lock on both", () => {
    const normalise = (keys: string[]) => keys.map((k) => k.replace(RUN_ID, "<run>")).sort();
    expect(normalise(inBucket.keys)).toEqual(normalise(onDisk.keys));
    expect(inBucket.keys).not.toContain("locks/run.json");
    expect(onDisk.manifests).toHaveLength(3);
    expect(inBucket.manifests.map(stable)).toEqual(onDisk.manifests.map(stable));
  });

  it("holds the same feature rows", async () => {
    const [a, b] = await Promise.all([featureRows(gcs), featureRows(local)]);
    expect(a.length).toBe(onDisk.featureRows);
    expect(a).toEqual(b);
  });

  it("registers the same models: metadata metrics and artifacts", async () => {
    const registry = { gcs: new ModelRegistry(gcs), local: new ModelRegistry(local) };
    expect(inBucket.versions).toEqual(onDisk.versions);
    for (const v of onDisk.versions) {
      const [a, b] = await Promise.all([registry.gcs.load(MODEL, v), registry.local.load(MODEL, v)]);
      const { runId: _a, createdAt: _ca, ...metaA } = a.metadata;
      const { runId: _b, createdAt: _cb, ...metaB } = b.metadata;
      expect(metaA).toEqual(metaB);
      expect(a.artifact).toEqual(b.artifact);
    }
  });

  it("holds the same forecasts, history, truth and monitoring metrics", async () => {
    const tables: Array<[string, string[]]> = [
      ["predictions_monitoring.parquet", ["origin", "area", "consumer_type", "datetime_utc"]],
      ["predictions.parquet", ["area", "consumer_type", "datetime_utc"]],
      ["X.parquet", ["area", "consumer_type", "datetime_utc"]],
      ["y.parquet", ["area", "consumer_type", "datetime_utc"]],
      ["y_monitoring.parquet", ["area", "consumer_type", "datetime_utc"]],
      ["metrics_monitoring.parquet", ["datetime_utc"]],
      ["metrics_monitoring_by_series.parquet", ["area", "consumer_type"]],
      ["metrics_monitoring_by_step.parquet", ["step"]],
      ["metrics_monitoring_by_model.parquet", ["model", "model_version"]],
      ["metrics_monitoring_by_origin.parquet", ["origin"]],
    ];
    for (const [key, order] of tables) {
      const [a, b] = await Promise.all([readTable(gcs, key), readTable(local, key)]);
      expect(a.numRows(), key).toBeGreaterThan(0);
      expect(rowsOf(a, order), key).toEqual(rowsOf(b, order));
    }
    expect(inBucket.historyRows).toBe(3 * 76 * 24);
  });
});
