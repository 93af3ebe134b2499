import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../support/cli.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { checkStore, expectContainsRows, expectUnchanged, featureRows, HISTORY_KEY, historyRowsOf, immutableKeys, readTable, snapshot, type StoreSummary } from "./store-checks.js";

const BIN = fileURLToPath(new URL("../../bin/energy-forecast.js", import.meta.url));
const ENV = { TRAIN_FOLDS: "2" };
/** Three completed daily ticks, then the tick that gets killed (it trains: --train always). */
const BACKFILL = ["--from", "2023-01-26T00:00", "--to", "2023-01-28T00:00", "--every", "24"];
const NEXT = "2023-01-29T00:00";
const RUN = ["run", "--as-of", NEXT, "--train", "always"];
const KILLS = 10;
const SEED = 20230129;

/** mulberry32: a seeded PRNG, so the kill offsets are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One point in each of `n` equal slices of [0, 1), so the kills cover the whole run. */
function stratifiedFractions(n: number, seed: number): number[] {
  const random = rng(seed);
  return Array.from({ length: n }, (_, i) => (i + random()) / n);
}

interface Outcome {
  offsetMs: number;
  /** Milliseconds from spawn to exit. */
  elapsedMs: number;
  /** "killed", or the exit code when the run ended before the kill. */
  end: string;
  /** The last log line before the end, and what the run changed in the store: where the kill landed. */
  lastLine: string;
  changed?: string;
  stderr: string;
}

/** Starts `energy-forecast` and SIGKILLs it `offsetMs` after the spawn (unless it ended first). */
function runAndKill(args: string[], offsetMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", TZ: "UTC", LOG_LEVEL: "info", ...ENV },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const t0 = performance.now();
    const timer = setTimeout(() => child.kill("SIGKILL"), offsetMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lines = stderr.trim().split("\n").filter((l) => l !== "");
      resolve({ offsetMs, elapsedMs: performance.now() - t0, end: signal === "SIGKILL" ? "killed" : `exit ${code}`, lastLine: lines[lines.length - 1] ?? "(no output yet)", stderr });
    });
  });
}

/** Milliseconds from spawn to exit of one complete run. */
async function timeRun(args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await runCli(args, ENV);
  if (r.code !== 0) throw new Error(`run failed (exit ${r.code}): ${r.stderr}`);
  return performance.now() - t0;
}

// A run killed at any moment leaves the previous outputs readable and consistent, and the next run
// completes. The kills accumulate on one store, as crashes would on a real bucket: each run starts
// from the debris of the previous ones (temp files, orphan partitions, half-registered models).
describe("SIGKILL during run", () => {
  let dir: string;
  let store: string;
  let storage: Storage;
  let baseline: StoreSummary;
  let before: Map<string, string>;
  let beforeFeatures: object[];
  let beforeHistory: object[];
  let baselineOrigins: Set<number>;
  let fullRunMs: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "reliability-kill-"));
    store = join(dir, "store");
    const r = await runCli(["--store", store, "backfill", ...BACKFILL], ENV);
    if (r.code !== 0) throw new Error(`backfill failed: ${r.stderr}`);
    storage = createLocalStorage(store);
    baseline = await checkStore(storage);
    before = await snapshot(storage);
    beforeFeatures = await featureRows(storage);
    const history = await readTable(storage, HISTORY_KEY);
    baselineOrigins = new Set(Array.from(history.array("origin") as ArrayLike<number>));
    beforeHistory = historyRowsOf(history, baselineOrigins);
    // How long the killed run takes when left alone, measured on a copy of the same store.
    const copy = join(dir, "timing");
    cpSync(store, copy, { recursive: true });
    fullRunMs = await timeRun(["--store", copy, ...RUN]);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts from three complete ticks", () => {
    expect(baseline.manifests).toHaveLength(3);
    expect(baselineOrigins.size).toBe(3);
    expect(baseline.historyRows).toBe(3 * 76 * 24);
    expect(baseline.versions).toEqual([1]);
  });

  it(`keeps every previous output readable through ${KILLS} kills, and the next run completes`, async () => {
    // Offsets from 0.3 s to the run's duration. Load varies (the measuring run may have shared the
    // machine with other test files starting), so a run that ends before its kill shortens the
    // estimate for the kills after it.
    let durationMs = fullRunMs;
    const outcomes: Outcome[] = [];
    let lockChecked = false;
    let previous = before;
    for (const fraction of stratifiedFractions(KILLS, SEED)) {
      const offset = Math.round(300 + fraction * (durationMs - 300));
      const lockFile = join(store, "locks", "run.json");
      if (existsSync(lockFile)) {
        if (!lockChecked) {
          // A killed run leaves its lock (until its lease runs out, LOCK_LEASE_SECONDS): the next run,
          // told not to wait, is refused with the recovery to apply.
          const locked = await runCli(["--store", store, ...RUN], { ...ENV, LOCK_WAIT_SECONDS: "0" });
          expect(locked.code).toBe(5);
          expect(locked.stderr).toMatch(/^lock: the store file:\/\/.* is locked by run-\S+ on .* since .* \(expires .*\); wait for it to finish, or delete locks\/run\.json if that run is dead/);
          lockChecked = true;
        }
        rmSync(lockFile); // the documented recovery: the holder is dead
      }
      const outcome = await runAndKill(["--store", store, ...RUN], offset);
      outcomes.push(outcome);
      // A run that ended before its kill must have succeeded: crash debris must never break a run.
      if (outcome.end !== "killed") {
        expect(outcome, outcome.stderr).toMatchObject({ end: "exit 0" });
        durationMs = Math.min(durationMs, outcome.elapsedMs);
      }

      const after = await checkStore(storage);
      const current = await snapshot(storage);
      expectUnchanged(before, current, immutableKeys(before));
      outcome.changed = describeChanges(previous, current);
      previous = current;
      // The run manifests of the completed ticks are all still there.
      expect(after.manifests.slice(0, 3).map((m) => m.runId)).toEqual(baseline.manifests.map((m) => m.runId));
      expect(after.versions.slice(0, baseline.versions.length)).toEqual(baseline.versions);
      // No earlier feature row or forecast was lost or altered (the killed tick may have added its own).
      const features = await featureRows(storage);
      expect(features.length).toBeGreaterThanOrEqual(beforeFeatures.length);
      expectContainsRows(features, beforeFeatures);
      expect(historyRowsOf(await readTable(storage, HISTORY_KEY), baselineOrigins)).toEqual(beforeHistory);
    }
    console.log(
      `full run ${Math.round(fullRunMs)} ms; ${tempFiles(store)} temp files left on disk (not listed); kills:\n` +
        outcomes.map((o) => `  ${String(o.offsetMs).padStart(5)} ms  ${o.end.padEnd(7)} last log: ${o.lastLine.slice(0, 70)}\n      changed: ${o.changed}`).join("\n"),
    );
    // Runs that finished first were checked too; most must have been killed for the test to mean anything.
    expect(outcomes.filter((o) => o.end === "killed").length).toBeGreaterThanOrEqual(KILLS / 2);
    expect(lockChecked).toBe(true);

    // The next run completes normally once the dead run's lock is removed.
    rmSync(join(store, "locks", "run.json"), { force: true });
    const next = await runCli(["--store", store, ...RUN, "--json"], ENV);
    expect(next.code, next.stderr).toBe(0);
    const manifest = JSON.parse(next.stdout);
    expect(manifest).toMatchObject({ status: "succeeded", asOf: "2023-01-29T00:00:00.000Z", train: { trained: true }, predict: { origin: "2023-01-13T23:00:00.000Z", rows: 76 * 24 } });
    const final = await checkStore(storage);
    expect(final.manifests.map((m) => m.runId)).toContain(manifest.runId);
    expect(final.production).toBe(manifest.train.version);
    // One forecast per (origin, series, hour): four origins, however many killed runs wrote theirs.
    const history = await readTable(storage, HISTORY_KEY);
    expect(history.numRows()).toBe(4 * 76 * 24);
    expect(new Set(Array.from(history.array("origin") as ArrayLike<number>)).size).toBe(4);
    expect(await storage.exists("locks/run.json")).toBe(false);
  }, 200_000);
});

/** The objects that changed between two snapshots, with run ids and partition dates elided. */
function describeChanges(before: Map<string, string>, after: Map<string, string>): string {
  const labels = new Set<string>();
  for (const [key, hash] of after) {
    if (before.get(key) === hash) continue;
    labels.add(key.replace(/run-\d{8}T\d{6}Z-[0-9a-f]{6}/, "<run>").replace(/date=[^/]+\/part-\d+/, "<partition>"));
  }
  for (const key of before.keys()) if (!after.has(key)) labels.add(`-${key}`);
  return labels.size === 0 ? "nothing" : Array.from(labels).join(" ");
}

/** Temp files of interrupted writes under `dir` (the local store never lists them). */
function tempFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => /(^|\/)\.tmp-/.test(p)).length;
}
