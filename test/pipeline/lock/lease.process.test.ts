/**
 * A lease holder frozen for real: a child process holding the store's lock is stopped with SIGSTOP
 * (as a paused VM or a stopped container would be), so its heartbeat stops with it. Another
 * process takes the lock over once the lease has run out; the frozen holder, continued, stops
 * before its next write with the exact message, and the new holder's data stays as it wrote it.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { systemClock } from "../../../src/pipeline/core/effects.js";
import { LockedError } from "../../../src/pipeline/lock/errors.js";
import { acquireLock, readLock, type Lock } from "../../../src/pipeline/lock/lock.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import { formatSecond } from "../../../src/pipeline/time/index.js";

const LEASE_MS = 1500;
const RENEW_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "lease-process-"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

interface HolderMessage {
  type: "held" | "wrote" | "error";
  name?: string;
  message?: string;
  exitCode?: number;
}

/** Starts the holder fixture; `next()` resolves with its next message. */
function startHolder(root: string, owner: string): { child: ChildProcess; next(): Promise<HolderMessage> } {
  const script = fileURLToPath(new URL("./fixtures/holder.ts", import.meta.url));
  const child = fork(script, [root, owner, String(LEASE_MS), String(RENEW_MS)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const queue: HolderMessage[] = [];
  let waiting: ((m: HolderMessage) => void) | undefined;
  child.on("message", (m) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(m as HolderMessage);
    } else queue.push(m as HolderMessage);
  });
  const next = (): Promise<HolderMessage> =>
    new Promise((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      const timer = setTimeout(() => reject(new Error("the holder sent nothing within 30 s")), 30_000);
      waiting = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
  return { child, next };
}

it("a holder frozen with SIGSTOP is taken over after its lease; continued, it stops before its next write with the exact message", async () => {
  const root = join(base, "store");
  const store = createLocalStorage(root);
  const holder = startHolder(root, "run-frozen");
  try {
    expect(await holder.next()).toEqual({ type: "held" });
    holder.child.send("write");
    expect(await holder.next()).toEqual({ type: "wrote" });

    // Freeze it right after a renewal has landed, so no write of its own is in flight when it stops.
    const first = (await readLock(store))?.expiresAt;
    let renewed = first;
    const deadline = Date.now() + 5000;
    while (renewed === first && Date.now() < deadline) {
      await sleep(5);
      renewed = (await readLock(store))?.expiresAt;
    }
    expect(renewed).not.toBe(first); // the heartbeat renews on its own
    holder.child.kill("SIGSTOP");
    const frozenAt = Date.now();

    // While its lease runs, the lock is refused; once it ran out (missed renewals), it is taken over.
    let taken: Lock | undefined;
    let takenAt = 0;
    let refusals = 0;
    while (taken === undefined && Date.now() - frozenAt < 10_000) {
      try {
        taken = await acquireLock(store, { owner: "run-next", ttlMs: 60_000, clock: systemClock, host: "proc" });
        takenAt = Date.now();
      } catch (error) {
        expect(error).toBeInstanceOf(LockedError);
        refusals += 1;
        await sleep(50);
      }
    }
    expect(taken).toBeDefined();
    expect(refusals).toBeGreaterThan(0);
    // Taken over only once the lease the frozen holder last renewed had run out (acquiredAt is when
    // the attempt began, which under load can precede the expiry check: compare when it returned).
    expect(takenAt).toBeGreaterThanOrEqual(Date.parse(renewed ?? ""));
    await store.write("work/beat.txt", "run-next");

    holder.child.kill("SIGCONT");
    holder.child.send("write");
    const outcome = await holder.next();
    expect(outcome).toEqual({
      type: "error",
      name: "LeaseLostError",
      exitCode: 5,
      message:
        `lock: run-frozen lost its lease on locks/run.json in ${store.uri} (it is held by run-next since ${formatSecond(taken!.acquiredAt.getTime())}) ` +
        "and stopped before writing work/beat.txt; another command may be writing the store: rerun this one when it has finished",
    });
    expect(await readFile(join(root, "work/beat.txt"), "utf8")).toBe("run-next");
    expect((await readLock(store))?.owner).toBe("run-next");
    expect(await taken!.release()).toBe(true);
  } finally {
    if (holder.child.exitCode === null) {
      holder.child.kill("SIGCONT");
      holder.child.kill("SIGKILL");
    }
  }
}, 180_000);
