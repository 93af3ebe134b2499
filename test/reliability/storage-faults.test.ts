import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { faultyStorage, type FaultRule } from "../support/faulty-storage.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import type { RunFailure } from "../../src/pipeline/run/manifest.js";
import { runFailureKey, runManifestKey } from "../../src/pipeline/storage/layout.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { checkStore, expectContainsRows, expectUnchanged, FEATURE_MANIFEST, featureRows, HISTORY_KEY, readTable, snapshot } from "./store-checks.js";
import { smallTick } from "./tick-harness.js";
import { SMALL_PANEL_SERIES } from "../support/small-panel.js";

const MODEL = "gbm-blend";
const NEXT = "2023-01-29T00:00";

/** A storage failure injected into the tick at `NEXT`, and what it may have changed before failing. */
interface Scenario {
  name: string;
  rules: (runId: string) => FaultRule[];
  /** The step the run fails in (recorded in failure.json). */
  step: string;
  /** Injected message (default: the wrapper's `injected <op> fault on "<key>" ...`). */
  message: RegExp;
  /** Baseline objects the run may replace before the fault (every other one stays byte-identical). */
  mayChange: Array<string | RegExp>;
  /** Train policy of the failed run and of the clean rerun (training is slow: only where it is tested). */
  train?: string;
  cleanTrain?: string;
  /** Further checks on the failed store. */
  check?: (storage: Storage, runId: string) => Promise<void>;
}

// Monitoring's incremental state and the day sums it rescored (monitoring/state.json, monitoring/days/).
const MONITOR_OUTPUTS: Array<string | RegExp> = [
  /^monitoring\//,
  "y_monitoring.parquet",
  "metrics_monitoring_by_series.parquet",
  "metrics_monitoring_by_step.parquet",
  "metrics_monitoring_by_model.parquet",
  "metrics_monitoring_by_origin.parquet",
  "metrics_monitoring_by_series_day.parquet",
  "metrics_monitoring_vs_naive.parquet",
  "metrics_monitoring.parquet",
];
const LATEST = ["X.parquet", "y.parquet", "predictions.parquet"];
// The partitioned forecast history: the origin's file and forecasts/state.json (bounds written first).
const FORECASTS = /^forecasts\//;
// Ticks after the train step keep production v1 (trained on data up to 2023-01-11T23, 48 h old at
// NEXT, under the default max-age:72 policy), so they may change only the feature manifest.
const AFTER_TRAIN = [FEATURE_MANIFEST];

const noNewVersion = async (storage: Storage) => {
  const registry = new ModelRegistry(storage);
  expect(await registry.versions(MODEL)).toEqual([1]);
  expect(await registry.resolve(MODEL, "production")).toBe(1);
};

const SCENARIOS: Scenario[] = [
  {
    name: "a feature partition write (ingest)",
    rules: () => [{ op: "write", key: /^features\/.*\/data\//, nth: 1 }],
    step: "ingest",
    message: /^storage: injected write fault on "features\/energy_consumption\/v1\/data\/date=2023-01-13\/part-000003\.parquet" \(write call #\d+\)$/,
    mayChange: [],
  },
  {
    name: "the feature-store commit (ingest's manifest write)",
    rules: () => [{ op: "write", key: FEATURE_MANIFEST }],
    step: "ingest",
    message: /^storage: injected write fault on "features\/energy_consumption\/v1\/manifest\.json" \(write call #\d+\)$/,
    mayChange: [],
    check: async (storage) => {
      // The new partition file exists but no manifest points at it: readers do not see it.
      expect(await storage.exists("features/energy_consumption/v1/data/date=2023-01-13/part-000003.parquet")).toBe(true);
      expect((await checkStore(storage)).featureCommit).toBe(2);
    },
  },
  {
    name: "the registry's metadata write (train)",
    train: "always",
    cleanTrain: "always",
    rules: () => [{ op: "write", key: /^models\/.*\/metadata\.json$/ }],
    step: "train",
    message: /^storage: injected write fault on "models\/gbm-blend\/v2\/metadata\.json"/,
    mayChange: [FEATURE_MANIFEST],
    check: async (storage) => {
      // The artifact was written, but a version exists only once its metadata does.
      expect(await storage.exists(`models/${MODEL}/v2/model.json`)).toBe(true);
      await noNewVersion(storage);
    },
  },
  {
    name: "the production alias write (train)",
    train: "always",
    cleanTrain: "always",
    rules: () => [{ op: "write", key: /aliases\/production\.json$/ }],
    step: "train",
    message: /^storage: injected write fault on "models\/gbm-blend\/aliases\/production\.json"/,
    mayChange: [FEATURE_MANIFEST],
    check: async (storage) => {
      const registry = new ModelRegistry(storage);
      expect(await registry.versions(MODEL)).toEqual([1, 2]);
      expect(await registry.resolve(MODEL, "production")).toBe(1);
    },
  },
  {
    name: "listing the registry's versions (train)",
    train: "always",
    cleanTrain: "always",
    rules: () => [{ op: "list", key: `models/${MODEL}/v` }],
    step: "train",
    message: /^storage: injected list fault on "models\/gbm-blend\/v"/,
    mayChange: [FEATURE_MANIFEST],
    check: noNewVersion,
  },
  {
    name: "reading the forecast history (monitor)",
    rules: () => [{ op: "read", key: /^forecasts\/origin=/ }],
    step: "monitor",
    message: /^storage: injected read fault on "forecasts\/origin=/,
    mayChange: AFTER_TRAIN,
  },
  {
    name: "the last monitoring table write (monitor)",
    rules: () => [{ op: "write", key: "metrics_monitoring.parquet" }],
    step: "monitor",
    message: /^storage: injected write fault on "metrics_monitoring\.parquet"/,
    mayChange: [...AFTER_TRAIN, ...MONITOR_OUTPUTS],
  },
  {
    name: "a per-run prediction copy (predict outputs)",
    rules: (runId) => [{ op: "write", key: `runs/${runId}/predictions.parquet` }],
    step: "write",
    message: /^storage: injected write fault on "runs\/run-fault\/predictions\.parquet"/,
    mayChange: [...AFTER_TRAIN, ...MONITOR_OUTPUTS],
  },
  {
    name: "the latest predictions.parquet (predict outputs)",
    rules: () => [{ op: "write", key: "predictions.parquet" }],
    step: "write",
    message: /^storage: injected write fault on "predictions\.parquet"/,
    // X.parquet and y.parquet are already the new run's: the latest trio is mixed until a rerun.
    mayChange: [...AFTER_TRAIN, ...MONITOR_OUTPUTS, "X.parquet", "y.parquet"],
  },
  {
    name: "the forecast history write",
    rules: () => [{ op: "write", key: HISTORY_KEY }],
    step: "write",
    message: /^storage: injected write fault on "predictions_monitoring\.parquet"/,
    mayChange: [...AFTER_TRAIN, ...MONITOR_OUTPUTS, ...LATEST, FORECASTS],
  },
  {
    name: "the run manifest write",
    rules: (runId) => [{ op: "write", key: runManifestKey(runId) }],
    step: "write",
    message: /^storage: injected write fault on "runs\/run-fault\/manifest\.json"/,
    mayChange: [...AFTER_TRAIN, ...MONITOR_OUTPUTS, ...LATEST, FORECASTS, HISTORY_KEY],
  },
  {
    name: "a history write that took effect but reported failure (lost response)",
    rules: () => [{ op: "write", key: HISTORY_KEY, when: "after" }],
    step: "write",
    message: /^storage: injected write fault on "predictions_monitoring\.parquet"/,
    mayChange: [...AFTER_TRAIN, ...MONITOR_OUTPUTS, ...LATEST, FORECASTS, HISTORY_KEY],
  },
];

// Storage errors mid-run fail the run with the cause; nothing half-written is visible (every object
// is whole and every table of contents points at complete objects); the next clean run completes.
// On the small panel (4 series): the subject is the store, not the width of the data.
describe("storage errors during a tick", () => {
  let dir: string;
  let baselineDir: string;
  let before: Map<string, string>;
  let beforeFeatures: object[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "reliability-faults-"));
    baselineDir = join(dir, "baseline");
    const storage = createLocalStorage(baselineDir);
    await smallTick(storage, "2023-01-27T00:00", "run-base-1");
    await smallTick(storage, "2023-01-28T00:00", "run-base-2");
    before = await snapshot(storage);
    beforeFeatures = await featureRows(storage);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts from two complete ticks", async () => {
    const summary = await checkStore(createLocalStorage(baselineDir));
    expect(summary.manifests.map((m) => m.runId)).toEqual(["run-base-1", "run-base-2"]);
    expect(summary).toMatchObject({ featureCommit: 2, versions: [1], production: 1, historyRows: 2 * SMALL_PANEL_SERIES * 24 });
  });

  for (const [i, scenario] of SCENARIOS.entries()) {
    it(`fails the run on ${scenario.name}, keeps the store consistent, and the next run completes`, async () => {
      const root = join(dir, `case-${i}`);
      cpSync(baselineDir, root, { recursive: true });
      const inner = createLocalStorage(root);
      const runId = "run-fault";
      const storage = faultyStorage(inner, scenario.rules(runId));

      const error = await smallTick(storage, NEXT, runId, scenario.train).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(scenario.message);
      expect(storage.failures.length).toBeGreaterThanOrEqual(1);

      // No manifest for the failed run; its failure record names the step and the cause.
      expect(await inner.exists(runManifestKey(runId))).toBe(false);
      const failure = JSON.parse(new TextDecoder().decode(await inner.read(runFailureKey(runId)))) as RunFailure;
      expect(failure).toMatchObject({
        format: "energy-forecast/run-failure",
        runId,
        asOf: "2023-01-29T00:00:00.000Z",
        step: scenario.step,
        error: (error as Error).message,
      });

      // Everything decodes and links up; what the run did not get to is byte-identical.
      const summary = await checkStore(inner);
      expect(summary.manifests.map((m) => m.runId)).toEqual(["run-base-1", "run-base-2"]);
      const unchanged = Array.from(before.keys()).filter((k) => !scenario.mayChange.some((m) => (typeof m === "string" ? m === k : m.test(k))));
      expectUnchanged(before, await snapshot(inner, unchanged), unchanged);
      expectContainsRows(await featureRows(inner), beforeFeatures);
      await scenario.check?.(inner, runId);

      // A clean rerun of the same tick completes and repairs the rest.
      const manifest = await smallTick(inner, NEXT, "run-clean", scenario.cleanTrain);
      expect(manifest).toMatchObject({
        runId: "run-clean",
        status: "succeeded",
        predict: { origin: "2023-01-13T23:00:00.000Z", rows: SMALL_PANEL_SERIES * 24 },
      });
      const repaired = await checkStore(inner);
      expect(repaired.manifests.map((m) => m.runId)).toEqual(["run-base-1", "run-base-2", "run-clean"]);
      expect(repaired.production).toBe(manifest.train.version);
      expect(repaired.featureRows).toBe(beforeFeatures.length + SMALL_PANEL_SERIES * 24);
      const history = await readTable(inner, HISTORY_KEY);
      expect(history.numRows()).toBe(3 * SMALL_PANEL_SERIES * 24);
      expect(Array.from(new Set(history.array("run_id") as string[])).sort()).toEqual(["run-base-1", "run-base-2", "run-clean"]);
      rmSync(root, { recursive: true, force: true });
    });
  }
});
