import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { faultyStorage, type FaultyStorage } from "../support/faulty-storage.js";
import { withStoreLock } from "../../src/cli/lock.js";
import type { Workspace } from "../../src/pipeline/index.js";
import { fixedClock, memoryLogger, systemClock } from "../../src/pipeline/core/effects.js";
import { ExitCode } from "../../src/pipeline/core/errors.js";
import { loadConfig } from "../../src/pipeline/config/config.js";
import { LeaseLostError } from "../../src/pipeline/lock/errors.js";
import { acquireLock, readLock } from "../../src/pipeline/lock/lock.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { manualClock } from "../pipeline/lock/behaviour.js";

// The CLI's store lock around every writing command: released whatever happens, never hiding why a
// command failed, waited for when busy, renewed while the command works, and refusing writes once lost.
describe("withStoreLock", () => {
  let dir: string;
  let storage: FaultyStorage;
  let ctx: Workspace;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "reliability-lock-"));
    storage = faultyStorage(createLocalStorage(dir));
    const config = loadConfig({}, { store: pathToFileURL(dir).href, logLevel: "silent" });
    ctx = { config, storage, clock: fixedClock("2023-01-29T00:00:00Z"), logger: memoryLogger(), cwd: dir, newRunId: (kind) => `${kind}-test` };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("releases the lock when the run fails, and passes the run's error on", async () => {
    await expect(withStoreLock(ctx, "run-a", () => Promise.reject(new Error("tick failed: boom")))).rejects.toThrow("tick failed: boom");
    expect(await storage.exists("locks/run.json")).toBe(false);
    expect(await withStoreLock(ctx, "run-b", async () => "done")).toBe("done");
  });

  // Seen against the GCS emulator once: a release failing after the run failed replaced the run's
  // error (`storage: read "locks/run.json" ... socket hang up`), and the tick's own failure was lost.
  it("reports the run's error, not the lock release's, when both fail", async () => {
    const run = withStoreLock(ctx, "run-a", async () => {
      storage.setFaults([{ op: "read", key: "locks/run.json", message: "connection reset while releasing" }]);
      throw new Error("tick failed: boom");
    });
    await expect(run).rejects.toThrow("tick failed: boom");
  });

  it("hands the command a guarded store: once another command has the lock, the next write exits 5 and nothing more is written", async () => {
    const clock = manualClock("2023-01-29T00:00:00Z");
    const lease = { ...ctx, clock };
    const run = withStoreLock(lease, "ingest-a", async (store) => {
      await store.write("work/1.txt", "first");
      clock.advance(10 * 60_000); // frozen for a whole lease: another command takes the lock over
      await acquireLock(createLocalStorage(dir), { owner: "ingest-b", ttlMs: 600_000, clock, host: "build-2" });
      await store.write("work/2.txt", "second");
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).exitCode).toBe(ExitCode.locked);
    expect((error as Error).message).toBe(
      `lock: ingest-a lost its lease on locks/run.json in ${storage.uri} (it is held by ingest-b since 2023-01-29T00:10:00Z) ` +
        "and stopped before writing work/2.txt; another command may be writing the store: rerun this one when it has finished",
    );
    expect(await storage.list("work/")).toEqual(["work/1.txt"]);
    expect((await readLock(storage))?.owner).toBe("ingest-b"); // the release left the new holder's lock alone
  });

  it("waits up to LOCK_WAIT_SECONDS for a busy store, then fails with exit 5 without running the command", async () => {
    const config = loadConfig({ LOCK_WAIT_SECONDS: "0.3", LOCK_POLL_SECONDS: "0.1" }, { store: pathToFileURL(dir).href, logLevel: "silent" });
    const busy = await acquireLock(storage, { owner: "run-busy", ttlMs: 600_000, clock: ctx.clock, host: "build-1" });
    let ran = false;
    const started = performance.now();
    const error = await withStoreLock({ ...ctx, config }, "predict-a", async () => (ran = true)).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(ran).toBe(false);
    expect((error as { exitCode?: number }).exitCode).toBe(ExitCode.locked);
    expect((error as Error).message).toBe(
      `lock: still locked after waiting 0.3 s (LOCK_WAIT_SECONDS): the store ${storage.uri} is locked by run-busy on build-1 since 2023-01-29T00:00:00Z ` +
        "(expires 2023-01-29T00:10:00Z); wait for it to finish, or delete locks/run.json if that run is dead",
    );
    // Freed within the wait: the command runs.
    setTimeout(() => void busy.release(), 150);
    const waited = {
      ...ctx,
      config: loadConfig({ LOCK_WAIT_SECONDS: "5", LOCK_POLL_SECONDS: "0.05" }, { store: pathToFileURL(dir).href, logLevel: "silent" }),
    };
    expect(await withStoreLock(waited, "predict-b", async () => "ran")).toBe("ran");
    expect(await storage.exists("locks/run.json")).toBe(false);
  });

  it("renews the lease while the command works: a command running for 3 leases keeps the store", async () => {
    const config = loadConfig(
      { LOCK_LEASE_SECONDS: "0.6", LOCK_RENEW_SECONDS: "0.1", LOCK_WAIT_SECONDS: "0" },
      { store: pathToFileURL(dir).href, logLevel: "silent" },
    );
    const result = await withStoreLock({ ...ctx, config, clock: systemClock }, "train-a", async (store) => {
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await expect(acquireLock(createLocalStorage(dir), { owner: "run-other", ttlMs: 600, clock: systemClock })).rejects.toThrow("is locked by train-a");
      }
      await store.write("work/model.txt", "fitted");
      return "trained";
    });
    expect(result).toBe("trained");
    expect(await storage.list("")).toEqual(["work/model.txt"]);
  });
});
