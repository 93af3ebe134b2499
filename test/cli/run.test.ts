import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { listManifests } from "../../src/pipeline/run/manifest.js";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import { predictionsSchema } from "../../src/pipeline/predict/schema.js";
import { keyColumns } from "../../src/pipeline/dataset/spec.js";
import { loadPreset } from "../../src/pipeline/dataset/preset.js";

/** The embedded DE35 data's outputs: the reference's area (int8) and consumer_type (int32) first. */
const PREDICTIONS_SCHEMA = predictionsSchema(keyColumns(loadPreset("de35")));

// One store, backfilled once with three daily ticks (as-of = data time + 15 days of delay);
// the tests then exercise run, predict, monitor and backfill against it.
describe("run, backfill, predict, monitor", () => {
  let dir: string;
  let store: string;
  const env = { TRAIN_FOLDS: "2" };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cli-run-"));
    store = join(dir, "store");
    const r = await runCli(["--store", store, "backfill", "--from", "2023-01-28T00:00", "--to", "2023-01-30T00:00", "--every", "24"], env);
    if (r.code !== 0) throw new Error(`backfill failed: ${r.stderr}`);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("backfills ticks in order, writes one manifest per tick and the reference's outputs", async () => {
    const storage = createLocalStorage(store);
    const manifests = await listManifests(storage);
    expect(manifests.map((m) => [m.asOf, m.visibleUntil, m.train.trained, m.predict.origin])).toEqual([
      ["2023-01-28T00:00:00.000Z", "2023-01-13T00:00:00.000Z", true, "2023-01-12T23:00:00.000Z"],
      ["2023-01-29T00:00:00.000Z", "2023-01-14T00:00:00.000Z", false, "2023-01-13T23:00:00.000Z"],
      ["2023-01-30T00:00:00.000Z", "2023-01-15T00:00:00.000Z", false, "2023-01-14T22:00:00.000Z"],
    ]);
    // Time is simulated honestly: the first tick sees nothing after its visibility limit.
    expect(manifests[0].ingest.window[1]).toBe("2023-01-13T00:00:00.000Z");
    expect(manifests[1].monitor.scored).toBe(76 * 24);
    for (const key of [
      "X.parquet",
      "y.parquet",
      "predictions.parquet",
      "predictions_monitoring.parquet",
      "metrics_monitoring.parquet",
      "y_monitoring.parquet",
    ]) {
      expect(await storage.exists(key)).toBe(true);
    }
    const history = readParquet(await storage.read("predictions_monitoring.parquet"), PREDICTIONS_SCHEMA);
    expect(history.numRows()).toBe(3 * 76 * 24);
    expect(new Set(history.array("run_id") as string[]).size).toBe(3);
  });

  it("resumes: a second backfill over the same ticks runs nothing", async () => {
    const r = await runCli(["--store", store, "--log-level", "info", "backfill", "--from", "2023-01-28T00:00", "--to", "2023-01-30T00:00"], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("backfill: 3 ticks, 3 already complete, 0 to run");
  });

  it("predict is idempotent for the same as-of: the history keeps one forecast per origin and hour", async () => {
    const first = JSON.parse((await runCli(["--store", store, "predict", "--as-of", "2023-01-30T00:00", "--json"], env)).stdout);
    expect(first).toMatchObject({
      origin: "2023-01-14T22:00:00.000Z",
      series: 76,
      horizon: 24,
      rows: 76 * 24,
      replacedRows: 76 * 24,
      historyRows: 3 * 76 * 24,
    });
    const storage = createLocalStorage(store);
    const predictions = readParquet(await storage.read("predictions.parquet"), PREDICTIONS_SCHEMA);
    const row = predictions.object(0) as Record<string, number>;
    expect(row.lower_95).toBeLessThanOrEqual(row.lower_80);
    expect(row.lower_80).toBeLessThanOrEqual(row.prediction);
    expect(row.prediction).toBeLessThanOrEqual(row.upper_80);
    expect(row.upper_80).toBeLessThanOrEqual(row.upper_95);
  });

  it("monitor reports alerts and exits 4 with --fail-on-alert", async () => {
    const ok = await runCli(["--store", store, "monitor", "--as-of", "2023-01-30T00:00", "--json"], env);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.scored).toBe(2 * 76 * 24 - 76); // the last forecast's final hour has no truth yet
    expect(report.mape7d).toBeGreaterThan(0.02);
    expect(report.mape7d).toBeLessThan(0.15);
    const alert = await runCli(["--store", store, "monitor", "--max-mape", "0.01", "--fail-on-alert"], env);
    expect(alert.code).toBe(4);
    expect(alert.stdout).toMatch(/ALERT 7-day MAPE \d+\.\d\d% up to 2023-01-14T22:00Z is above the threshold 1\.00%/);
  });

  it("stops a backfill at the first failed tick with the reason, keeping earlier ticks", async () => {
    const other = join(dir, "early");
    const r = await runCli(["--store", other, "backfill", "--from", "2023-01-01T00:00", "--to", "2023-01-03T00:00"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("backfill: tick 2023-01-01T00:00Z failed (run run-");
    expect(r.stderr).toContain("caused by: ingest: window 2022-11-17T00:00Z..2022-12-17T00:00Z");
    expect(await listManifests(createLocalStorage(other))).toEqual([]);
  });

  it("lets one run hold the store: a second concurrent run fails fast with exit 5", async () => {
    // LOCK_WAIT_SECONDS=0: fail at once instead of waiting for the first run (test/cli/store-lock.test.ts covers the wait).
    const noWait = { ...env, LOCK_WAIT_SECONDS: "0" };
    const [a, b] = await Promise.all([
      runCli(["--store", store, "run", "--as-of", "2023-01-30T06:00", "--train", "never"], noWait),
      new Promise<Awaited<ReturnType<typeof runCli>>>((resolve) =>
        setTimeout(() => resolve(runCli(["--store", store, "run", "--as-of", "2023-01-30T06:00", "--train", "never"], noWait)), 400),
      ),
    ]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 5]);
    const loser = a.code === 5 ? a : b;
    expect(loser.stderr).toMatch(/^lock: the store file:\/\/.* is locked by run-/);
  });
});
