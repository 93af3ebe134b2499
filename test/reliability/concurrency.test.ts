/**
 * Writers at the same time: `ingest`, `run`, `predict` and `train` started as real CLI processes in
 * seeded random overlapping orders against one store, a local directory and a bucket of the GCS
 * emulator (behind the proxy that enforces `ifGenerationMatch=0`, as GCS does). Every ingest and
 * every run carries its own batch (one DE35 series nobody else writes, every hour from 2022-12-28;
 * a run stores the hours visible at its tick), so after each interleaving the store's feature rows
 * must be exactly the union of the batches whose command exited 0: a lost update shows as lost
 * rows, a half-committed one as rows of a refused batch. Where an interleaving has three writers,
 * `doctor --json` runs among them as a reader (it takes no lock) and must find no problem: reads
 * never see a half-committed state.
 *
 * After each interleaving: every command exited 0 (or 5 when told not to wait: LOCK_WAIT_SECONDS=0),
 * none hung; `doctor --json` finds the store healthy with the lock free; the feature rows are the
 * committed batches; every run folder's forecasts are in the forecast history and every history
 * row is the forecast of the run folder it names; no object carries the id of a command that did
 * not exit 0 (a refused command wrote nothing); the registry holds one version per successful
 * training and production is the newest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { readLock } from "../../src/pipeline/lock/lock.js";
import type { LockRecord } from "../../src/pipeline/lock/record.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import { createGcsStorage } from "../../src/pipeline/storage/gcs.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { visibleUntil } from "../../src/pipeline/time/index.js";
import { startCli, type CliEnd } from "../support/cli-process.js";
import { de35Csv, de35FeatureRows, de35Series, featureRowId } from "../support/de35-batches.js";
import { startGcsEmulator, type GcsEmulator } from "../support/gcs-emulator.js";
import { startGcsPreconditionProxy, type GcsPreconditionProxy } from "../support/gcs-precondition-proxy.js";
import { SMALL_PANEL_SERIES } from "../support/small-panel.js";
import { featureRows } from "./store-checks.js";
import { expectDoctorHealthy, expectFeatureRows, expectHistoryMatchesRuns, runIdsInKeys, type DoctorView, type RunForecastCache } from "./store-ledger.js";

const SEED = 20240611;
const MODEL = "seasonal-naive-24";
/**
 * The cheapest model and one fold keep train and run to a second of work; REVISION_HOURS beyond the
 * data makes every ingest extract its whole window (an incremental ingest would skip the hours of
 * a new series that the store already holds for other series, by design); the lock is polled often.
 */
const ENV = { MODEL_NAME: MODEL, TRAIN_FOLDS: "1", REVISION_HOURS: "100000", LOCK_POLL_SECONDS: "0.1", LOCK_WAIT_SECONDS: "120" };
const NO_WAIT = { ...ENV, LOCK_WAIT_SECONDS: "0" };
/**
 * Series 0..3 are the seed every store starts with (as narrow as the small panel: the writers'
 * interleavings are the subject, not the width of the data); each later ingest or run adds one more.
 * The commands read only files the test writes, series by series, so they need no FILTER.
 */
const SEED_SERIES = Array.from({ length: SMALL_PANEL_SERIES }, (_, i) => i);
/** Every batch starts here: 18 day partitions, enough for one training fold after 14 days. */
const FROM = Date.parse("2022-12-28T00:00Z");
/** Ticks of `run`: the data is visible until 2023-01-13T12, 2023-01-14T12 and 2023-01-14T23 (15 days delay). */
const RUN_AS_OF = ["2023-01-28T12:00", "2023-01-29T12:00", "2023-01-29T23:00"];
const PREDICT_AS_OF = [undefined, "2023-01-28T00:00", "2023-01-29T06:00"];
const DELAY_DAYS = 15;
/** The latest spawn of an interleaving, after its first (commands take 2-3 s to start). */
const MAX_OFFSET_MS = 1_500;
/** A command not finished after this has hung (it may have queued behind three others on a busy machine). */
const HANG_MS = 150_000;

/** The writers, and `doctor` (read-only: no lock) as a reader that must never see a half-committed store. */
type Kind = "ingest" | "run" | "predict" | "train" | "doctor";

interface Step {
  kind: Kind;
  /** Spawn time after the interleaving's start. */
  offsetMs: number;
  /** Options of the command (the batch file is named when it starts). */
  options: string[];
  /** The series this command ingests (its batch), and the hours it may see (ingest: all). */
  series?: number;
  before?: number;
}

/** The command line of a step: its batch is the file of its series. */
function commandArgs(step: Step): string[] {
  return [step.kind, ...(step.series === undefined ? [] : ["--source", `file:${batchFile(step.series)}`]), ...step.options, "--json"];
}

interface Plan {
  index: number;
  wait: boolean;
  steps: Step[];
}

/** mulberry32: a seeded PRNG, so the interleavings are the same on every run. */
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

/**
 * `count` interleavings of 3 or 4 commands: a shuffle of ingest, run, predict and train, one of
 * them dropped (never both writers of rows; a reader, `doctor --json`, takes its place) or replaced
 * by a second ingest. Commands start at random
 * offsets within {@link MAX_OFFSET_MS} (all within 300 ms for the no-wait interleavings, to make
 * them collide). `noWait` lists the interleavings that run with LOCK_WAIT_SECONDS=0.
 */
function planInterleavings(seed: number, count: number, noWait: number[]): Plan[] {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  let nextSeries = SEED_SERIES.length;
  const plans: Plan[] = [];
  for (let index = 0; index < count; index++) {
    const kinds: Kind[] = ["ingest", "run", "predict", "train"];
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
    }
    const roll = random();
    if (roll < 0.6) kinds.splice(kinds.indexOf(pick<Kind>(["predict", "train", "run"])), 1, "doctor");
    else if (roll < 0.75) kinds[kinds.indexOf(pick<Kind>(["predict", "train"]))] = "ingest";
    const wait = !noWait.includes(index);
    const steps = kinds.map((kind): Step => {
      const offsetMs = Math.round(random() * (wait ? MAX_OFFSET_MS : 300));
      switch (kind) {
        case "ingest": {
          const series = nextSeries++;
          return { kind, offsetMs, series, before: Infinity, options: [] };
        }
        case "run": {
          const series = nextSeries++;
          const asOf = pick(RUN_AS_OF);
          const before = visibleUntil(Date.parse(`${asOf}Z`), DELAY_DAYS);
          return { kind, offsetMs, series, before, options: ["--as-of", asOf, "--train", pick(["never", "always"])] };
        }
        case "predict": {
          const asOf = pick(PREDICT_AS_OF);
          return { kind, offsetMs, options: asOf ? ["--as-of", asOf] : [] };
        }
        case "train":
          return { kind, offsetMs, options: ["--search", "none"] };
        case "doctor":
          return { kind, offsetMs, options: [] };
      }
    });
    plans.push({ index, wait, steps: steps.sort((a, b) => a.offsetMs - b.offsetMs) });
  }
  if (nextSeries > de35Series().length) throw new Error(`the plan needs ${nextSeries} series; the file has ${de35Series().length}`);
  return plans;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const describePlan = (p: Plan): string =>
  p.steps.map((s) => `${s.kind}${s.options.length ? ` ${s.options.join(" ")}` : ""} @${s.offsetMs}ms`).join(", ") + (p.wait ? "" : " (LOCK_WAIT_SECONDS=0)");

/** One finished interleaving, for the summary. */
interface Result {
  backend: string;
  plan: Plan;
  codes: number[];
  wallMs: number;
  checkMs?: number;
}

/** What the test knows a store must hold: committed rows, ids of commands that exited 0, trainings. */
interface Ledger {
  rows: string[];
  ids: Set<string>;
  trainings: number;
}

/**
 * One store under interleavings: seeds it (series 0..11, a trained model), then each `it` runs one
 * interleaving and checks the store; then a takeover after a kill; then doctor as a child process.
 */
function interleavingSuite(
  backend: "local" | "gcs",
  plans: () => Plan[],
  open: () => { store: string; storage: Storage; env: Record<string, string> },
  results: Result[],
): void {
  const ledger: Ledger = { rows: [], ids: new Set(), trainings: 0 };
  const forecasts: RunForecastCache = new Map();

  /** The checks after each interleaving (see the module comment). */
  async function verify(store: string, storage: Storage, label: string): Promise<void> {
    const doctor = await expectDoctorHealthy(store, "in-process", label);
    const rows = await expectFeatureRows(storage, ledger.rows, label);
    expect(doctor.checked.featureGroups).toBe(1);
    await expectHistoryMatchesRuns(storage, label, forecasts);
    // A command that did not exit 0 left nothing behind: every id in the store is a successful command's.
    const strangers = Array.from(runIdsInKeys(await storage.list(""))).filter((id) => !ledger.ids.has(id));
    expect(strangers, `${label}: objects of commands that did not succeed`).toEqual([]);
    const registry = new ModelRegistry(storage);
    const versions = await registry.versions(MODEL);
    expect(versions, `${label}: one model version per successful training`).toEqual(Array.from({ length: ledger.trainings }, (_, i) => i + 1));
    expect(await registry.resolve(MODEL, "production")).toBe(ledger.trainings);
    expect(rows).toBe(ledger.rows.length);
  }

  async function runChecked(store: string, env: Record<string, string>, args: string[]): Promise<{ runId: string }> {
    const p = startCli(["--store", store, ...args], env, { timeoutMs: HANG_MS });
    const end = await p.done;
    if (end.code !== 0) throw new Error(`${args[0]} failed (exit ${end.code}): ${end.stderr}`);
    return JSON.parse(end.stdout) as { runId: string };
  }

  beforeAll(async () => {
    const { store, env } = open();
    const seeded = await runChecked(store, env, ["ingest", "--source", `file:${SEED_FILE()}`, "--json"]);
    const trained = await runChecked(store, env, ["train", "--search", "none", "--json"]);
    ledger.rows.push(...de35FeatureRows(SEED_SERIES, { from: FROM }));
    ledger.ids.add(seeded.runId).add(trained.runId);
    ledger.trainings = 1;
  }, 600_000);

  for (const plan of plans()) {
    it(`interleaving ${plan.index + 1}: ${describePlan(plan)}`, async () => {
      const { store, storage, env } = open();
      const label = `${backend} interleaving ${plan.index + 1} (${describePlan(plan)})`;
      const t0 = performance.now();
      const running: Array<Promise<CliEnd>> = [];
      for (const step of plan.steps) {
        const wait = step.offsetMs - (performance.now() - t0);
        if (wait > 0) await sleep(wait);
        running.push(startCli(["--store", store, ...commandArgs(step)], plan.wait ? env : { ...env, ...NO_WAIT }, { timeoutMs: HANG_MS }).done);
      }
      const ends = await Promise.all(running);
      const wallMs = performance.now() - t0;
      results.push({ backend, plan, codes: ends.map((e) => e.code), wallMs });

      for (const [i, end] of ends.entries()) {
        const step = plan.steps[i];
        const what = `${label}: ${commandArgs(step).join(" ")}`;
        expect(end.hung, `${what} hung`).toBe(false);
        if (step.kind === "doctor") {
          // Read while others write, without the lock: whatever it saw was a committed state (a run
          // still writing its outputs is a warning at most).
          const seen = end.stdout.startsWith("{") ? (JSON.parse(end.stdout) as DoctorView) : undefined;
          expect(
            { code: end.code, problems: seen?.findings.filter((f) => f.severity === "problem"), stderr: end.stderr },
            `${what}: read while others wrote`,
          ).toEqual({ code: 0, problems: [], stderr: "" });
          continue;
        }
        if (plan.wait || end.code === 0) {
          expect({ code: end.code, stderr: end.stderr }, what).toMatchObject({ code: 0 });
        } else {
          // Refused at once with the lock module's message naming the holder, on stderr and as --json's error object.
          expect(end.code, what).toBe(5);
          expect(end.stderr, what).toMatch(
            /^lock: the store \S+ is locked by (ingest|run|predict|train)-\d{8}T\d{6}Z-[0-9a-f]{6} on \S+ since \S+ \(expires \S+\); wait for it to finish, or delete locks\/run\.json if that run is dead\n$/,
          );
          expect(JSON.parse(end.stdout), what).toEqual({ error: { domain: "lock", message: end.stderr.trimEnd(), exitCode: 5 } });
          continue;
        }
        const report = JSON.parse(end.stdout) as { runId: string; train?: { trained: boolean } };
        ledger.ids.add(report.runId);
        if (step.series !== undefined) ledger.rows.push(...de35FeatureRows([step.series], { from: FROM, before: step.before }));
        if (step.kind === "train" || (step.kind === "run" && report.train?.trained)) ledger.trainings++;
      }

      const checks = performance.now();
      await verify(store, storage, label);
      results[results.length - 1].checkMs = performance.now() - checks;
    }, 240_000);
  }

  // The lock's takeover under contention: the holder dies, and three commands wait for its lease to
  // run out and race to take the store over. Exactly one at a time may write; all three succeed.
  it("a holder killed mid-ingest: its lease runs out, and three commands waiting for it take the store over one at a time", async () => {
    const { store, storage, env } = open();
    const label = `${backend} takeover after a kill`;
    const first = Math.max(...SEED_SERIES, ...plans().flatMap((p) => p.steps.map((s) => s.series ?? 0))) + 1;
    const lease = { ...env, LOCK_LEASE_SECONDS: "6", LOCK_RENEW_SECONDS: "1", LOG_LEVEL: "info" };
    const victim = startCli(["--store", store, "ingest", "--source", `file:${batchFile(first)}`, "--json"], lease, { timeoutMs: HANG_MS });
    let holder: LockRecord | undefined;
    while (holder === undefined) {
      if (victim.child.exitCode !== null) throw new Error(`the ingest to kill ended first: ${victim.stderr()}`);
      holder = await readLock(storage).catch(() => undefined);
      if (holder === undefined) await sleep(10);
    }
    // It may leave its validation result: its id is known from the lock.
    ledger.ids.add(holder.owner);
    await sleep(Math.round(rng(SEED + (backend === "gcs" ? 2 : 3))() * 500));
    victim.kill();
    const killed = await victim.done;
    if (killed.signal !== "SIGKILL")
      expect({ code: killed.code, stderr: killed.stderr }, `${label}: the ingest ended before its kill`).toMatchObject({ code: 0 });
    const steps: Array<{ series?: number; args: string[] }> = [
      { series: first + 1, args: ["ingest", "--source", `file:${batchFile(first + 1)}`] },
      { series: first + 2, args: ["ingest", "--source", `file:${batchFile(first + 2)}`] },
      { args: ["predict"] },
    ];
    const ends = await Promise.all(steps.map((s) => startCli(["--store", store, ...s.args, "--json"], lease, { timeoutMs: HANG_MS }).done));
    for (const [i, end] of ends.entries()) {
      expect({ code: end.code, hung: end.hung, stderr: end.stderr }, `${label}: ${steps[i].args.join(" ")}`).toMatchObject({ code: 0, hung: false });
      ledger.ids.add((JSON.parse(end.stdout) as { runId: string }).runId);
      if (steps[i].series !== undefined) ledger.rows.push(...de35FeatureRows([steps[i].series!], { from: FROM }));
    }
    // The killed batch is in the store whole or not at all.
    const batch = de35FeatureRows([first], { from: FROM });
    const stored = new Set((await featureRows(storage)).map((r) => featureRowId(r as Parameters<typeof featureRowId>[0])));
    const present = batch.filter((r) => stored.has(r)).length;
    expect([0, batch.length], `${label}: rows of the killed ingest in the store`).toContain(present);
    if (present > 0) ledger.rows.push(...batch);
    const waited = ends.filter((e) => e.stderr.includes("lock: the store is locked; waiting up to 120 s")).length;
    takeovers.push(
      `${backend}: ingest ${killed.signal === "SIGKILL" ? "killed" : `exit ${killed.code}`} ${present > 0 ? "after" : "before"} its commit; ${waited} of 3 waiting commands waited for the lock; exit codes ${ends.map((e) => e.code).join(" ")}`,
    );
    await verify(store, storage, label);
  }, 240_000);

  it("and the doctor command, run as a child process, agrees: the store is healthy", async () => {
    const { store, env } = open();
    await expectDoctorHealthy(store, env, `${backend} after ${plans().length} interleavings`);
  });
}

let dir: string;
let batchFiles: Map<number, string>;
const SEED_FILE = (): string => join(dir, "seed.csv");
function batchFile(series: number): string {
  const file = batchFiles.get(series) ?? join(dir, `series-${series}.csv`);
  if (!batchFiles.has(series)) {
    writeFileSync(file, de35Csv([series], { from: FROM }));
    batchFiles.set(series, file);
  }
  return file;
}

const LOCAL = { count: 12, noWait: [4, 9] };
const GCS = { count: 8, noWait: [5] };
const results: Result[] = [];
const takeovers: string[] = [];
const started = performance.now();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "reliability-concurrency-"));
  batchFiles = new Map();
  writeFileSync(SEED_FILE(), de35Csv(SEED_SERIES, { from: FROM }));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (results.length === 0) return;
  const codes = new Map<number, number>();
  for (const r of results) for (const c of r.codes) codes.set(c, (codes.get(c) ?? 0) + 1);
  console.log(
    `${results.length} interleavings in ${Math.round((performance.now() - started) / 1000)} s; exit codes ${Array.from(codes, ([c, n]) => `${c}: ${n}`).join(", ")}\n` +
      results
        .map(
          (r) =>
            `  ${r.backend.padEnd(5)} #${String(r.plan.index + 1).padStart(2)} ${(r.wallMs / 1000).toFixed(1).padStart(5)} s + ${((r.checkMs ?? 0) / 1000).toFixed(1)} s checks  ${describePlan(r.plan)} -> ${r.codes.join(" ")}`,
        )
        .join("\n") +
      `\ntakeovers after a kill:\n${takeovers.map((t) => `  ${t}`).join("\n")}`,
  );
  // The no-wait interleavings are there to see refusals: at least one command must have been refused.
  const refused = results
    .filter((r) => !r.plan.wait)
    .flatMap((r) => r.codes)
    .filter((c) => c === 5).length;
  if (results.filter((r) => !r.plan.wait).length === LOCAL.noWait.length + GCS.noWait.length)
    expect(refused, "commands refused with LOCK_WAIT_SECONDS=0").toBeGreaterThan(0);
});

describe("concurrent ingest, run, predict and train on a local store", () => {
  const root = (): string => join(dir, "local");
  interleavingSuite(
    "local",
    () => planInterleavings(SEED, LOCAL.count, LOCAL.noWait),
    () => ({ store: root(), storage: createLocalStorage(root()), env: ENV }),
    results,
  );
});

describe("concurrent ingest, run, predict and train on the GCS emulator", () => {
  const BUCKET = "energy-concurrency";
  let emulator: GcsEmulator;
  let proxy: GcsPreconditionProxy;
  let previousHost: string | undefined;
  let storage: Storage;
  let env: Record<string, string>;
  beforeAll(async () => {
    emulator = await startGcsEmulator();
    proxy = await startGcsPreconditionProxy(emulator.endpoint);
    previousHost = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = proxy.endpoint;
    // The checks' own handle retries as the CLI's does: it sits idle while an interleaving's
    // commands run for seconds, and its pooled connection may be closed by then (a clean-clone run
    // failed once on "read ECONNRESET" in a check, not in a command).
    storage = createGcsStorage({ bucket: BUCKET, prefix: "store", projectId: "demo-energy-forecast" });
    env = { ...ENV, STORAGE_EMULATOR_HOST: proxy.endpoint, GOOGLE_CLOUD_PROJECT: "demo-energy-forecast" };
  }, 180_000);
  afterAll(async () => {
    if (previousHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = previousHost;
    await proxy?.stop();
    await emulator?.stop();
  });
  interleavingSuite(
    "gcs",
    () => planInterleavings(SEED + 1, GCS.count, GCS.noWait),
    () => ({ store: `gs://${BUCKET}/store`, storage, env }),
    results,
  );
});
