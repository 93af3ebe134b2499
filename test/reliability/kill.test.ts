import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../support/cli.js";
import { startCli, type CliEnd } from "../support/cli-process.js";
import { de35Csv, de35FeatureRows, featureRowId } from "../support/de35-batches.js";
import { SMALL_PANEL_ENV, SMALL_PANEL_SERIES } from "../support/small-panel.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import { readLock } from "../../src/pipeline/lock/lock.js";
import { listManifests } from "../../src/pipeline/run/manifest.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import {
  checkStore,
  expectContainsRows,
  expectUnchanged,
  FEATURE_MANIFEST,
  featureRows,
  HISTORY_KEY,
  historyRowsOf,
  immutableKeys,
  readTable,
  snapshot,
  type StoreSummary,
} from "./store-checks.js";
import { doctorInProcess, type DoctorView } from "./store-ledger.js";
import { childEnv } from "../support/child-env.js";

const BIN = fileURLToPath(new URL("../../bin/energy-forecast.js", import.meta.url));
/** The small panel (4 series of the embedded data): the kills are the subject, not the width of the data. */
const ENV = { TRAIN_FOLDS: "2", ...SMALL_PANEL_ENV };
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
      env: childEnv({ TZ: "UTC", LOG_LEVEL: "info", ...ENV }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const t0 = performance.now();
    const timer = setTimeout(() => child.kill("SIGKILL"), offsetMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lines = stderr
        .trim()
        .split("\n")
        .filter((l) => l !== "");
      resolve({
        offsetMs,
        elapsedMs: performance.now() - t0,
        end: signal === "SIGKILL" ? "killed" : `exit ${code}`,
        lastLine: lines[lines.length - 1] ?? "(no output yet)",
        stderr,
      });
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
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts from three complete ticks", () => {
    expect(baseline.manifests).toHaveLength(3);
    expect(baselineOrigins.size).toBe(3);
    expect(baseline.historyRows).toBe(3 * SMALL_PANEL_SERIES * 24);
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
          expect(locked.stderr).toMatch(
            /^lock: the store file:\/\/.* is locked by run-\S+ on .* since .* \(expires .*\); wait for it to finish, or delete locks\/run\.json if that run is dead/,
          );
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
        outcomes
          .map((o) => `  ${String(o.offsetMs).padStart(5)} ms  ${o.end.padEnd(7)} last log: ${o.lastLine.slice(0, 70)}\n      changed: ${o.changed}`)
          .join("\n"),
    );
    // Runs that finished first were checked too; most must have been killed for the test to mean anything.
    expect(outcomes.filter((o) => o.end === "killed").length).toBeGreaterThanOrEqual(KILLS / 2);
    expect(lockChecked).toBe(true);

    // The next run completes normally once the dead run's lock is removed.
    rmSync(join(store, "locks", "run.json"), { force: true });
    const next = await runCli(["--store", store, ...RUN, "--json"], ENV);
    expect(next.code, next.stderr).toBe(0);
    const manifest = JSON.parse(next.stdout);
    expect(manifest).toMatchObject({
      status: "succeeded",
      asOf: "2023-01-29T00:00:00.000Z",
      train: { trained: true },
      predict: { origin: "2023-01-13T23:00:00.000Z", rows: SMALL_PANEL_SERIES * 24 },
    });
    const final = await checkStore(storage);
    expect(final.manifests.map((m) => m.runId)).toContain(manifest.runId);
    expect(final.production).toBe(manifest.train.version);
    // One forecast per (origin, series, hour): four origins, however many killed runs wrote theirs.
    const history = await readTable(storage, HISTORY_KEY);
    expect(history.numRows()).toBe(4 * SMALL_PANEL_SERIES * 24);
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

// ---------------------------------------------------------------------------------------------
// Every other writing command, killed while it holds the store's lock.

/** The cheapest model and one fold keep the commands short; REVISION_HOURS beyond the data makes every ingest extract its whole window. */
const EVERY_ENV = {
  MODEL_NAME: "seasonal-naive-24",
  TRAIN_FOLDS: "1",
  REVISION_HOURS: "100000",
  LOG_LEVEL: "info",
  // A killed holder's lease runs out within 6 s; the next command waits for that (LOCK_WAIT_SECONDS). A
  // live one renews every second, so only a process stalled for 5 s loses it.
  LOCK_LEASE_SECONDS: "6",
  LOCK_RENEW_SECONDS: "1",
  LOCK_POLL_SECONDS: "0.2",
  LOCK_WAIT_SECONDS: "30",
};
/**
 * Series 0..11 from this hour on are the seed; each ingest attempt adds one more series. (Not the
 * small panel: these commands read files the test writes, and twelve series keep each command
 * long enough for its kills to land inside it.)
 */
const SEED_SERIES = Array.from({ length: 12 }, (_, i) => i);
const FROM = Date.parse("2022-12-28T00:00Z");
const ATTEMPTS = 3;
const LOCK_KEY = "locks/run.json";

/**
 * When to kill, after the lock was taken, for stratum `fraction` of a command that held the lock
 * `heldMs` when left alone: within its last three quarters, where its writes are (the first part
 * reads the store and computes; the kills of the run test above cover start-up and reading).
 */
function killOffset(fraction: number, heldMs: number): number {
  return Math.round((0.25 + 0.75 * fraction) * heldMs);
}

/** One command started, watched for the moment it takes the lock, and killed a given time after that. */
interface Watched {
  /** Milliseconds from spawn to the lock file's appearance; undefined if it never appeared. */
  lockAtMs?: number;
  end: CliEnd;
  killed: boolean;
  /** Milliseconds from the lock's appearance to the exit. */
  heldMs?: number;
}

/**
 * Runs `energy-forecast --store <store> ...args` and, when `killAfterLockMs` is given, SIGKILLs it
 * that long after its lock object appeared (the lock file of a local store appears atomically: a
 * hard link). Nothing a command writes is written before it holds the lock, so the kills land
 * where the command writes.
 */
async function watch(store: string, args: string[], killAfterLockMs?: number): Promise<Watched> {
  const p = startCli(["--store", store, ...args], EVERY_ENV, { timeoutMs: 120_000 });
  const lockFile = join(store, LOCK_KEY);
  let ended = false;
  void p.done.then(() => (ended = true));
  let lockAtMs: number | undefined;
  while (!ended && lockAtMs === undefined) {
    if (existsSync(lockFile)) lockAtMs = p.elapsed();
    else await new Promise((resolve) => setTimeout(resolve, 1));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (lockAtMs !== undefined && killAfterLockMs !== undefined) timer = setTimeout(() => p.kill(), killAfterLockMs);
  const end = await p.done;
  clearTimeout(timer);
  return { lockAtMs, end, killed: end.signal === "SIGKILL" && !end.hung, heldMs: lockAtMs === undefined ? undefined : end.elapsedMs - lockAtMs };
}

/** What a kind of command is, how an attempt runs it, and what must hold after a kill and after the next run. */
interface WritingCommand {
  name: string;
  /** The command line of attempt `k` (the killed run and the next run of the same kind use the same). */
  args(k: number): string[];
  /** Readies the store for attempt `k` (e.g. damages it for doctor --repair). */
  prepare?(k: number): Promise<void>;
  /** Extra checks after the kill, given the state before it. */
  afterKill?(k: number, before: State): Promise<void>;
  /** Extra checks after the next run succeeded, given the state before the kill and its stdout. */
  afterNext?(k: number, before: State, stdout: string): Promise<void>;
}

/** What the checks compare against. */
interface State {
  objects: Map<string, string>;
  features: string[];
  origins: Set<number>;
  history: object[];
  versions: number[];
}

describe("SIGKILL during ingest, train, predict, monitor, backfill and doctor --repair", () => {
  let dir: string;
  let store: string;
  let storage: Storage;
  /** Per command: how long it held the lock when left alone. */
  const heldMs = new Map<string, number>();
  const log: string[] = [];
  const seedFile = (): string => join(dir, "seed.csv");
  const seriesFile = (series: number): string => join(dir, `series-${series}.csv`);

  async function state(): Promise<State> {
    const keys = await storage.list("");
    const history = keys.includes(HISTORY_KEY) ? await readTable(storage, HISTORY_KEY) : undefined;
    const origins = new Set(history ? Array.from(history.array("origin") as ArrayLike<number>) : []);
    return {
      objects: await snapshot(storage),
      features: (await featureRows(storage)).map((r) => featureRowId(r as Parameters<typeof featureRowId>[0])).sort(),
      origins,
      history: history ? historyRowsOf(history, origins) : [],
      versions: await new ModelRegistry(storage).versions("seasonal-naive-24"),
    };
  }

  /**
   * The store verifies: the shared invariants, doctor (in this process) finds no problem, the only
   * warnings are killed commands' forecasts missing from the history and an expired lock; every
   * object a complete run wrote, every feature row and every forecast of the earlier origins are
   * still there, unchanged.
   */
  async function expectVerifies(before: State, label: string): Promise<State> {
    await checkStore(storage, "seasonal-naive-24");
    const doctor = await doctorInProcess(store);
    const report = JSON.parse(doctor.stdout) as DoctorView;
    const warnings = report.findings.filter(
      (f) => f.severity === "warning" && !(f.area === "history" && /a run without manifest/.test(f.message)) && f.area !== "lock",
    );
    expect({ code: doctor.code, problems: report.findings.filter((f) => f.severity === "problem"), warnings }, `${label}: doctor`).toEqual({
      code: 0,
      problems: [],
      warnings: [],
    });
    const after = await state();
    expectUnchanged(before.objects, after.objects, immutableKeys(before.objects));
    expectContainsRows(
      after.features.map((f) => ({ f })),
      before.features.map((f) => ({ f })),
    );
    const history = after.origins.size > 0 ? await readTable(storage, HISTORY_KEY) : undefined;
    expect(history ? historyRowsOf(history, before.origins) : [], `${label}: forecasts of the earlier origins`).toEqual(before.history);
    return after;
  }

  const commands: WritingCommand[] = [
    {
      // Each attempt ingests a series the store does not hold yet: the kill commits all of it or none of it.
      name: "ingest",
      args: (k) => ["ingest", "--source", `file:${seriesFile(SEED_SERIES.length + k)}`, "--json"],
      async afterKill(k, before) {
        const batch = de35FeatureRows([SEED_SERIES.length + k], { from: FROM });
        const now = (await state()).features;
        expect([before.features, [...before.features, ...batch].sort()], "the batch is committed whole or not at all").toContainEqual(now);
      },
      async afterNext(k, before) {
        const batch = de35FeatureRows([SEED_SERIES.length + k], { from: FROM });
        expect((await state()).features).toEqual([...before.features, ...batch].sort());
      },
    },
    {
      name: "train",
      args: () => ["train", "--search", "none", "--json"],
      async afterKill(_k, before) {
        const registry = new ModelRegistry(storage);
        const versions = await registry.versions("seasonal-naive-24");
        expect(versions.slice(0, before.versions.length)).toEqual(before.versions);
        expect(versions.length - before.versions.length).toBeLessThanOrEqual(1);
        expect(versions).toContain(await registry.resolve("seasonal-naive-24", "production"));
      },
      async afterNext(_k, before, stdout) {
        const report = JSON.parse(stdout) as { registered: { version: number } };
        expect(report.registered.version).toBeGreaterThan(Math.max(...before.versions));
        expect(await new ModelRegistry(storage).resolve("seasonal-naive-24", "production")).toBe(report.registered.version);
      },
    },
    {
      // A new origin each attempt (visible until 2023-01-14T0k): the kill must not touch the earlier ones.
      name: "predict",
      args: (k) => ["predict", "--as-of", `2023-01-29T0${k + 1}:00`, "--json"],
      async afterNext(k, _before, stdout) {
        const report = JSON.parse(stdout) as { runId: string; origin: string; rows: number };
        expect(report.origin).toBe(`2023-01-14T0${k}:00:00.000Z`);
        const runIds = Array.from((await readTable(storage, HISTORY_KEY)).array("run_id") as ArrayLike<string>);
        expect(runIds.filter((id) => id === report.runId)).toHaveLength(report.rows);
      },
    },
    {
      name: "monitor",
      args: () => ["monitor", "--json"],
      async afterNext(_k, _before, stdout) {
        expect((JSON.parse(stdout) as { scored: number }).scored).toBeGreaterThan(0);
      },
    },
    {
      // Two new ticks each attempt; the next backfill runs the ticks the killed one did not complete.
      name: "backfill",
      args: (k) => [
        "backfill",
        "--source",
        `file:${seedFile()}`,
        "--from",
        `2023-01-28T0${2 * k + 2}:00`,
        "--to",
        `2023-01-28T0${2 * k + 3}:00`,
        "--every",
        "1",
        "--train",
        "never",
      ],
      async afterNext(k) {
        const asOfs = (await listManifests(storage)).map((m) => m.asOf);
        for (const tick of [2 * k + 2, 2 * k + 3])
          expect(
            asOfs.filter((a) => a === `2023-01-28T0${tick}:00:00.000Z`),
            `complete runs of tick ${tick}`,
          ).toHaveLength(1);
      },
    },
  ];

  /**
   * The damage doctor --repair is killed repairing: the feature manifest deleted (every command
   * refuses the group) and the forecast history corrupt (every run and monitor fails on it).
   */
  async function damage(target: Storage = storage): Promise<void> {
    await target.delete(FEATURE_MANIFEST);
    await target.write(HISTORY_KEY, "not a parquet file");
    // The newest origin's partition too: the repair rebuilds it from the run folders, enough work
    // for the kills to land inside it.
    const parts = (await target.list("forecasts/origin=")).sort();
    if (parts.length > 0) await target.write(parts[parts.length - 1], "not a parquet file");
  }

  /**
   * How long `args` holds the lock when left alone, run on a copy of the store as it is now
   * (`prepare` readies the copy): the span the kills of that command are spread over.
   */
  async function timeOnCopy(name: string, args: string[], prepare?: (copy: Storage) => Promise<void>): Promise<number> {
    const copy = join(dir, "timing");
    rmSync(copy, { recursive: true, force: true });
    cpSync(store, copy, { recursive: true });
    await prepare?.(createLocalStorage(copy));
    const w = await watch(copy, args);
    rmSync(copy, { recursive: true, force: true });
    if (w.end.code !== 0 || w.heldMs === undefined) throw new Error(`${name} on a copy failed (exit ${w.end.code}): ${w.end.stderr}`);
    heldMs.set(name, w.heldMs);
    return w.heldMs;
  }

  /**
   * Runs the next command after a kill. A lock the killed command left is deleted, as its message
   * says, before even attempts; at odd ones the next command waits for its lease to run out and takes it over.
   */
  async function nextAfterKill(k: number, args: string[], notes: string[]) {
    const left = await readLock(storage);
    if (left !== undefined && k % 2 === 0) rmSync(join(store, LOCK_KEY));
    const next = await runCli(["--store", store, ...args], EVERY_ENV);
    const waited = next.stderr.includes("lock: the store is locked; waiting up to 30 s");
    notes.push(
      `           lock left by ${left?.owner ?? "nobody"}: ${left === undefined ? "-" : k % 2 === 0 ? "deleted" : waited ? "its lease ran out while the next command waited, which then took it over" : "taken over (its lease had run out)"}`,
    );
    return next;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "reliability-kill-every-"));
    store = join(dir, "store");
    storage = createLocalStorage(store);
    writeFileSync(seedFile(), de35Csv(SEED_SERIES, { from: FROM }));
    for (let k = 0; k < ATTEMPTS; k++) writeFileSync(seriesFile(SEED_SERIES.length + k), de35Csv([SEED_SERIES.length + k], { from: FROM }));
    // Seeds the store with one complete run of each command.
    const seed: Array<[string, string[]]> = [
      ["ingest", ["ingest", "--source", `file:${seedFile()}`]],
      ["train", ["train", "--search", "none"]],
      ["predict", ["predict", "--as-of", "2023-01-29T00:00"]],
      ["monitor", ["monitor"]],
      [
        "backfill",
        ["backfill", "--source", `file:${seedFile()}`, "--from", "2023-01-28T00:00", "--to", "2023-01-28T01:00", "--every", "1", "--train", "never"],
      ],
    ];
    for (const [name, args] of seed) {
      const r = await runCli(["--store", store, ...args], EVERY_ENV);
      if (r.code !== 0) throw new Error(`${name} failed (exit ${r.code}): ${r.stderr}`);
    }
  }, 180_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(`lock held when left alone: ${Array.from(heldMs, ([k, v]) => `${k} ${Math.round(v)} ms`).join(", ")}\n${log.join("\n")}`);
  });

  for (const command of commands) {
    it(`${command.name}: after each of ${ATTEMPTS} kills the store verifies and nothing committed is lost; the next ${command.name} succeeds`, async () => {
      const fractions = stratifiedFractions(ATTEMPTS, SEED + command.name.length);
      const held = await timeOnCopy(command.name, command.args(0));
      let killed = 0;
      for (let k = 0; k < ATTEMPTS; k++) {
        await command.prepare?.(k);
        const before = await state();
        const offset = killOffset(fractions[k], held);
        const w = await watch(store, command.args(k), offset);
        const label = `${command.name} attempt ${k + 1} killed ${offset} ms after taking the lock`;
        const lastLine = w.end.stderr.trim().split("\n").pop() ?? "";
        log.push(
          `  ${command.name.padEnd(8)} ${String(offset).padStart(5)} ms  ${w.killed ? "killed " : `exit ${w.end.code}`}  last log: ${lastLine.slice(0, 90)}`,
        );
        log.push(`           changed: ${describeChanges(before.objects, await snapshot(storage))}`);
        if (w.killed) killed++;
        else expect({ code: w.end.code, stderr: w.end.stderr }, `${label}: ended before the kill`).toMatchObject({ code: 0 });
        expect(w.lockAtMs, `${label}: took the lock`).toBeDefined();
        await expectVerifies(before, `${label}, after the kill`);
        await command.afterKill?.(k, before);

        // The dead holder's lock: delete it as its message says (even attempts), or let its lease run out (odd ones).
        const next = await nextAfterKill(k, command.args(k), log);
        expect({ code: next.code, stderr: next.stderr }, `${label}: the next ${command.name}`).toMatchObject({ code: 0 });
        await expectVerifies(before, `${label}, after the next ${command.name}`);
        expect(await storage.exists(LOCK_KEY)).toBe(false);
        await command.afterNext?.(k, before, next.stdout);
      }
      expect(killed, "kills that landed before the command ended").toBeGreaterThanOrEqual(1);
    }, 240_000);
  }

  // The repair itself killed: what it has not done yet is still there to do (nothing it set aside
  // is lost, no partition file is deleted), and the next repair finishes the job with no row lost.
  it(`doctor --repair: after each of ${ATTEMPTS} kills nothing is lost and the next repair restores the store`, async () => {
    const fractions = stratifiedFractions(ATTEMPTS, SEED + 7);
    const held = await timeOnCopy("doctor --repair", ["doctor", "--repair"], damage);
    let killed = 0;
    for (let k = 0; k < ATTEMPTS; k++) {
      const before = await state();
      await damage();
      const damagedSnapshot = await snapshot(storage);
      const damagedKeys = Array.from(damagedSnapshot.keys());
      const offset = killOffset(fractions[k], held);
      const w = await watch(store, ["doctor", "--repair", "--json"], offset);
      const label = `doctor --repair attempt ${k + 1} killed ${offset} ms after taking the lock`;
      log.push(
        `  doctor   ${String(offset).padStart(5)} ms  ${w.killed ? "killed " : `exit ${w.end.code}`}  last log: ${(w.end.stderr.trim().split("\n").pop() ?? "").slice(0, 90)}`,
      );
      log.push(`           changed: ${describeChanges(damagedSnapshot, await snapshot(storage))}`);
      if (w.killed) killed++;
      else expect({ code: w.end.code, stderr: w.end.stderr }, `${label}: ended before the kill`).toMatchObject({ code: 0 });

      // Every object is still there, or was set aside whole under damaged/.
      const after = await storage.list("");
      for (const key of damagedKeys.filter((k) => k !== LOCK_KEY)) {
        if (after.includes(key)) continue;
        const copies = after.filter((a) => a === `damaged/${key}` || a.startsWith(`damaged/${key.replace(/\.parquet$/, "")}.`));
        expect(copies, `${label}: ${key} is gone and not set aside`).not.toEqual([]);
      }
      // What doctor still finds is the damage made, half repaired: no new kind of problem.
      const report = JSON.parse((await doctorInProcess(store)).stdout) as DoctorView;
      for (const f of report.findings.filter((f) => f.severity === "problem")) {
        expect(f.subject === FEATURE_MANIFEST || f.subject === HISTORY_KEY || f.subject.startsWith("forecasts/"), `${label}: ${f.subject}: ${f.message}`).toBe(
          true,
        );
      }

      const next = await nextAfterKill(k, ["doctor", "--repair", "--json"], log);
      expect({ code: next.code, stderr: next.stderr }, `${label}: the next repair`).toMatchObject({ code: 0 });
      expect(JSON.parse(next.stdout).repair.after).toMatchObject({ healthy: true, problems: 0 });
      await expectVerifies(before, `${label}, after the next repair`);
      expect((await state()).features).toEqual(before.features);
      expect(await storage.exists(LOCK_KEY)).toBe(false);
    }
    // One copy of the corrupt history per attempt, none overwritten.
    expect((await storage.list("damaged/")).filter((key) => key.startsWith("damaged/predictions_monitoring")).length).toBeGreaterThanOrEqual(ATTEMPTS);
    expect(killed, "kills that landed before the repair ended").toBeGreaterThanOrEqual(1);
  }, 240_000);
});
