/**
 * The store-wide lock seen from the command line: every command that writes the store takes it,
 * commands started together run one after the other (no batch lost), a busy store is waited for
 * and then refused with exit 5, and a command frozen past its lease stops before its next write.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/pipeline/core/effects.js";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";
import { acquireLock, readLock, type Lock } from "../../src/pipeline/lock/lock.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { formatSecond } from "../../src/pipeline/time/index.js";
import { runCli, type CliResult } from "../support/cli.js";
import { DE35_CSV } from "../support/eds-server.js";
import { childEnv } from "../support/child-env.js";

const BIN = fileURLToPath(new URL("../../bin/energy-forecast.js", import.meta.url));
const lines = readFileSync(DE35_CSV, "utf8").trimEnd().split("\n");
/** Hours [from, to) of the genuine data (76 series, one row each per hour) as an API CSV. */
const hours = (from: number, to: number): string => [lines[0], ...lines.slice(1 + 76 * from, 1 + 76 * to)].join("\n") + "\n";
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A CLI process the test watches while it runs (runCli only reports at the end). */
interface Running {
  child: ChildProcess;
  stderr(): string;
  /** Resolves once stderr contains `text`. */
  saw(text: string): Promise<void>;
  done: Promise<CliResult>;
}

function startCli(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: childEnv({ TZ: "UTC", LOG_LEVEL: "warn", ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  const saw = async (text: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!stderr.includes(text)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never saw ${JSON.stringify(text)}; stderr: ${stderr}`);
      await sleep(20);
    }
  };
  return { child, stderr: () => stderr, saw, done };
}

/** The lock module's message for a store held by the test. */
function lockedBy(store: Storage, lock: Lock): string {
  return (
    `lock: the store ${store.uri} is locked by ${lock.owner} on build-1 since ${formatSecond(lock.acquiredAt.getTime())} ` +
    `(expires ${formatSecond(lock.expiresAt.getTime())}); wait for it to finish, or delete locks/run.json if that run is dead`
  );
}

const holdLock = (store: Storage, owner = "run-test", ttlMs = 3_600_000): Promise<Lock> =>
  acquireLock(store, { owner, ttlMs, clock: systemClock, host: "build-1" });

describe("the store lock on the command line", () => {
  let dir: string;
  let batchA: string;
  let batchB: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cli-store-lock-"));
    batchA = join(dir, "a.csv");
    batchB = join(dir, "b.csv");
    writeFileSync(batchA, hours(0, 24));
    writeFileSync(batchB, hours(24, 48));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("every writing command takes the lock: with LOCK_WAIT_SECONDS=0 each exits 5 with the exact message and writes nothing; validate only reads", async () => {
    const root = join(dir, "store-all");
    expect((await runCli(["ingest", "--source", batchA, "--store", root])).code).toBe(0);
    const store = createLocalStorage(root);
    const lock = await holdLock(store);
    const before = await store.list("");
    const commands = [
      ["ingest", "--source", batchB],
      ["train", "--search", "none"],
      ["predict"],
      ["monitor"],
      ["run", "--source", batchA, "--as-of", "2023-01-10T00:00"],
      ["backfill", "--source", batchA, "--from", "2023-01-09T00:00", "--to", "2023-01-10T00:00"],
    ];
    const results = await Promise.all(commands.map((args) => runCli([...args, "--store", root], { LOCK_WAIT_SECONDS: "0" })));
    for (const [i, r] of results.entries()) {
      expect({ command: commands[i][0], code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        command: commands[i][0],
        code: 5,
        stderr: lockedBy(store, lock) + "\n",
        stdout: "",
      });
    }
    expect(await store.list("")).toEqual(before);
    // Reads need no lock.
    const validate = await runCli(["validate", "--store", root], { LOCK_WAIT_SECONDS: "0" });
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(`validate ${store.uri} feature group energy_consumption/v1: 1824 rows`);
    expect(await lock.release()).toBe(true);
  });

  it("waits LOCK_WAIT_SECONDS for a busy store, then exits 5 naming the holder", async () => {
    const root = join(dir, "store-wait");
    const store = createLocalStorage(root);
    const lock = await holdLock(store);
    const started = Date.now();
    const r = await runCli(["ingest", "--source", batchA, "--store", root], { LOCK_WAIT_SECONDS: "1", LOCK_POLL_SECONDS: "0.2", LOG_LEVEL: "info" });
    expect(r.code).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const message = lockedBy(store, lock).replace(/^lock: /, "");
    expect(r.stderr).toContain("info  lock: the store is locked; waiting up to 1 s (LOCK_WAIT_SECONDS), trying every 0.2 s holder=run-test since=");
    expect(r.stderr.endsWith(`\nlock: still locked after waiting 1 s (LOCK_WAIT_SECONDS): ${message}\n`)).toBe(true);
    expect(await store.list("")).toEqual(["locks/run.json"]);
    expect(await lock.release()).toBe(true);
  });

  it("two ingests started together on one store both finish, one after the other: both batches are stored", async () => {
    const root = join(dir, "store-two");
    const store = createLocalStorage(root);
    // The test holds the lock first, so both commands certainly find the store busy and queue up.
    const lock = await holdLock(store);
    const env = { LOCK_WAIT_SECONDS: "60", LOCK_POLL_SECONDS: "0.2", LOG_LEVEL: "info" };
    const first = startCli(["ingest", "--source", batchA, "--store", root, "--json"], env);
    const second = startCli(["ingest", "--source", batchB, "--store", root, "--json"], env);
    await Promise.all([first.saw("lock: the store is locked; waiting up to 60 s"), second.saw("lock: the store is locked; waiting up to 60 s")]);
    expect(await lock.release()).toBe(true);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const reports = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(reports.map((r) => r.featureStore.added)).toEqual([1824, 1824]);
    // One commit after the other: the later one saw the earlier one's rows.
    expect(reports.map((r) => r.featureStore.commit).sort()).toEqual([1, 2]);
    expect(reports.map((r) => r.featureStore.totalRows).sort()).toEqual([1824, 3648]);
    const stored = await new FeatureStore(store, { name: "energy_consumption", version: 1 }).read();
    expect(stored.numRows()).toBe(76 * 48);
    expect(await store.list("locks/")).toEqual([]);
  }, 600_000);

  it("an ingest frozen (SIGSTOP) while it holds the lock is taken over after its lease and, continued, exits 5 before its next write", async () => {
    const root = join(dir, "store-frozen");
    const store = createLocalStorage(root);
    const ingest = startCli(["ingest", "--source", batchA, "--store", root], { LOCK_LEASE_SECONDS: "2", LOCK_RENEW_SECONDS: "0.4" });
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(root, "locks/run.json"))) {
      if (Date.now() > deadline || ingest.child.exitCode !== null) throw new Error(`ingest never took the lock; stderr: ${ingest.stderr()}`);
      await sleep(2);
    }
    ingest.child.kill("SIGSTOP");
    try {
      const frozen = await readLock(store);
      let taken: Lock | undefined;
      while (taken === undefined) {
        if (Date.now() > deadline) throw new Error("the frozen ingest's lock was never taken over");
        taken = await holdLock(store, "run-next", 60_000).catch(() => undefined);
        if (taken === undefined) await sleep(50);
      }
      expect(taken.acquiredAt.getTime()).toBeGreaterThanOrEqual(Date.parse(frozen?.expiresAt ?? ""));
      const before = await store.list("");
      ingest.child.kill("SIGCONT");
      const r = await ingest.done;
      expect(r.code).toBe(5);
      const last = r.stderr.trimEnd().split("\n").pop() ?? "";
      expect(last).toMatch(
        new RegExp(
          `^lock: ${escape(frozen?.owner ?? "?")} lost its lease on locks/run\\.json in ${escape(store.uri)} ` +
            `\\(it is held by run-next since ${escape(formatSecond(taken.acquiredAt.getTime()))}\\) and stopped before writing \\S+; ` +
            "another command may be writing the store: rerun this one when it has finished$",
        ),
      );
      expect(frozen?.owner).toMatch(/^ingest-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
      expect(await store.list("")).toEqual(before);
      expect((await readLock(store))?.owner).toBe("run-next");
      expect(await taken.release()).toBe(true);
    } finally {
      if (ingest.child.exitCode === null) {
        ingest.child.kill("SIGCONT");
        ingest.child.kill("SIGKILL");
      }
    }
  }, 180_000);

  it("refuses lock settings that cannot work, with exit 2", async () => {
    const r = await runCli(["ingest", "--store", join(dir, "store-bad")], { LOCK_RENEW_SECONDS: "400" });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "config: LOCK_RENEW_SECONDS is 400, more than half of LOCK_LEASE_SECONDS 600; a lease must outlive a missed renewal: renew at most every half lease (default 120 of 600)\n",
    );
    expect(existsSync(join(dir, "store-bad"))).toBe(false);
  });
});
