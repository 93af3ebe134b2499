import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { faultyStorage, type StorageCall } from "../support/faulty-storage.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { runFailureKey, runManifestKey } from "../../src/pipeline/storage/layout.js";
import { checkStore, expectContainsRows, expectUnchanged, featureRows, HISTORY_KEY, immutableKeys, readTable, snapshot } from "./store-checks.js";
import { smallTick } from "./tick-harness.js";
import { SMALL_PANEL_SERIES } from "../support/small-panel.js";

const NEXT = "2023-01-29T00:00";
const MUTATIONS = new Set(["write", "delete", "list", "createExclusive"]);

/** A call's code path: its operation and its key with dates generalised (one loop lists one day partition per call). */
const shape = (c: StorageCall): string => `${c.op} ${c.key.replace(/\d{4}-\d{2}-\d{2}/g, "<date>")}`;

/**
 * The points to fail: every mutation, except that of a run of consecutive calls of one shape (the
 * history window's 31 day partitions, listed one by one) only the first and the last are failed;
 * the ones between take the same code path with another date.
 */
function failurePoints(mutations: StorageCall[]): number[] {
  return mutations
    .map((_, i) => i)
    .filter((i) => i === 0 || i === mutations.length - 1 || shape(mutations[i - 1]) !== shape(mutations[i]) || shape(mutations[i + 1]) !== shape(mutations[i]));
}

// Every point where a tick changes the store: the tick (predicting with the production model, no
// training) is failed at each write/list/delete in turn (see failurePoints), once before the call takes effect and
// once after (a lost response). Each time the store must stay consistent, keep what completed runs
// wrote, and a clean rerun must complete with one forecast per (origin, series, hour).
// On the small panel (4 series): the subject is the store, not the width of the data.
describe("a storage failure at every mutation of a tick", () => {
  let dir: string;
  let baselineDir: string;
  let before: Map<string, string>;
  let beforeFeatures: object[];
  let mutations: StorageCall[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "reliability-sweep-"));
    baselineDir = join(dir, "baseline");
    const base = createLocalStorage(baselineDir);
    await smallTick(base, "2023-01-27T00:00", "run-base-1");
    await smallTick(base, "2023-01-28T00:00", "run-base-2");
    before = await snapshot(base);
    beforeFeatures = await featureRows(base);
    // Record the calls of a clean tick on a copy: these are the points to fail.
    cpSync(baselineDir, join(dir, "recording"), { recursive: true });
    const recorder = faultyStorage(createLocalStorage(join(dir, "recording")));
    await smallTick(recorder, NEXT, "run-recording");
    mutations = recorder.calls.filter((c) => MUTATIONS.has(c.op));
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("records the tick's mutations: validation, feature commit, monitoring, outputs, history, manifest", () => {
    const keys = mutations.map((c) => `${c.op} ${c.key.replace("run-recording", "<run>")}`);
    console.log(`${keys.length} mutations:\n  ${keys.join("\n  ")}`);
    expect(keys[0]).toBe("write validation/<run>.json");
    expect(keys).toContain("write features/energy_consumption/v1/manifest.json");
    expect(keys).toContain("write metrics_monitoring.parquet");
    expect(keys).toContain("write predictions_monitoring.parquet");
    expect(keys[keys.length - 1]).toBe("write runs/<run>/manifest.json");
    expect(mutations.length).toBeGreaterThanOrEqual(17);
    // The window's day partitions are listed one per call: failed at the first and the last.
    const points = failurePoints(mutations).map((i) => keys[i]);
    expect(points.filter((k) => k.startsWith("list forecasts/origin="))).toEqual([
      "list forecasts/origin=2023-01-12/",
      "list forecasts/origin=2023-01-13/",
      "list forecasts/origin=2022-12-14/",
      "list forecasts/origin=2023-01-13/",
    ]);
    expect(points.length).toBe(mutations.length - 29);
  });

  for (const when of ["before", "after"] as const) {
    it(`fails cleanly at each mutation, ${when} it takes effect, and the rerun completes`, async () => {
      const immutable = immutableKeys(before);
      for (const i of failurePoints(mutations)) {
        const target = mutations[i];
        if (when === "after" && target.op === "list") continue; // a list has no effect to keep
        const where = `${target.op} #${i + 1} (${target.key})`;
        const root = join(dir, `${when}-${i}`);
        cpSync(baselineDir, root, { recursive: true });
        const inner = createLocalStorage(root);
        const runId = "run-fault";
        // The n-th call of that operation in the recorded order (run ids differ only in the key).
        const nth = mutations.slice(0, i + 1).filter((c) => c.op === target.op).length;
        const storage = faultyStorage(inner, [{ op: target.op, nth, when, message: `injected fault at ${where}` }]);

        const error = await smallTick(storage, NEXT, runId).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect((error as Error | undefined)?.message, where).toBe(`storage: injected fault at ${where}`);
        expect(
          storage.failures.map((c) => c.key.replace(runId, "run-recording")),
          where,
        ).toEqual([target.key]);
        const manifestWritten = await inner.exists(runManifestKey(runId));
        // Only a manifest write whose response was lost leaves a manifest: the run did complete.
        expect(manifestWritten, where).toBe(when === "after" && target.key.endsWith("/manifest.json") && target.key.startsWith("runs/"));
        expect(await inner.exists(runFailureKey(runId)), where).toBe(true);

        const summary = await checkStore(inner);
        expect(summary.manifests.length, where).toBe(manifestWritten ? 3 : 2);
        expectUnchanged(before, await snapshot(inner, immutable), immutable);
        expectContainsRows(await featureRows(inner), beforeFeatures);

        const manifest = await smallTick(inner, NEXT, "run-clean");
        expect(manifest.status, where).toBe("succeeded");
        const repaired = await checkStore(inner);
        expect(repaired.featureRows, where).toBe(beforeFeatures.length + SMALL_PANEL_SERIES * 24);
        const history = await readTable(inner, HISTORY_KEY);
        expect(history.numRows(), where).toBe(3 * SMALL_PANEL_SERIES * 24);
        rmSync(root, { recursive: true, force: true });
      }
    }, 600_000);
  }
});
