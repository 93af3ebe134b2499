/** Store locks on local disk: the shared lock behaviour, separate processes racing, and option checks. */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock, readLock } from "../../../src/pipeline/lock/lock.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import { describeLockBehaviour, manualClock } from "./behaviour.js";
import { describeLeaseBehaviour } from "./lease-behaviour.js";

let base: string;
let counter = 0;
const freshRoot = (): string => join(base, `store-${++counter}`);

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "lock-test-"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describeLockBehaviour("local", () => {
  const root = freshRoot();
  return { open: () => createLocalStorage(root) };
});

describeLeaseBehaviour("local", () => {
  const root = freshRoot();
  return { open: () => createLocalStorage(root) };
});

describe("local store lock specifics", () => {
  it("of 4 processes started together on one store exactly one takes the lock", async () => {
    const root = freshRoot();
    const script = fileURLToPath(new URL("./fixtures/contender.ts", import.meta.url));
    const children: ChildProcess[] = [];
    try {
      const ready: Array<Promise<void>> = [];
      const results: Array<Promise<{ ok: boolean; message?: string }>> = [];
      for (let i = 0; i < 4; i++) {
        const child = fork(script, [root, `run-p${i}`], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
        children.push(child);
        const messages: unknown[] = [];
        let onMessage: (() => void) | undefined;
        child.on("message", (m) => {
          messages.push(m);
          onMessage?.();
        });
        const next = (index: number): Promise<unknown> =>
          new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`contender ${i} sent no message ${index} within 30 s`)), 30_000);
            const check = (): void => {
              if (messages.length > index) {
                clearTimeout(timer);
                resolve(messages[index]);
              }
            };
            onMessage = check;
            check();
          });
        ready.push(next(0).then(() => undefined));
        results.push(ready[i].then(() => next(1) as Promise<{ ok: boolean; message?: string }>));
      }
      await Promise.all(ready);
      for (const child of children) child.send("go");
      const outcomes = await Promise.all(results);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      const winner = `run-p${outcomes.findIndex((o) => o.ok)}`;
      const store = createLocalStorage(root);
      expect((await readLock(store))?.owner).toBe(winner);
      for (const outcome of outcomes.filter((o) => !o.ok)) {
        expect(outcome.message).toBe(
          `lock: the store ${store.uri} is locked by ${winner} on proc since 2023-01-01T00:00:00Z ` +
            "(expires 2023-01-01T01:00:00Z); wait for it to finish, or delete locks/run.json if that run is dead",
        );
      }
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 180_000);

  it("records the machine's host name unless told otherwise", async () => {
    const store = createLocalStorage(freshRoot());
    await acquireLock(store, { owner: "run-1", ttlMs: 1000, clock: manualClock("2023-01-01T00:00:00Z") });
    expect((await readLock(store))?.host).toBe(hostname());
  });

  it("rejects bad options before touching the store", async () => {
    const root = freshRoot();
    const store = createLocalStorage(root);
    const clock = manualClock("2023-01-01T00:00:00Z");
    await expect(acquireLock(store, { name: "a/b", owner: "r", ttlMs: 1000, clock })).rejects.toThrow(
      'lock: invalid lock name "a/b": use letters, digits, "_" and "-"',
    );
    await expect(acquireLock(store, { owner: " ", ttlMs: 1000, clock })).rejects.toThrow("lock: the lock owner (run id) must not be empty");
    await expect(acquireLock(store, { owner: "r", ttlMs: 0, clock })).rejects.toThrow("lock: invalid ttlMs 0: expected a positive number of milliseconds");
    await expect(acquireLock(store, { owner: "r", ttlMs: 1000, takeoverMs: Number.NaN, clock })).rejects.toThrow(
      "lock: invalid takeoverMs NaN: expected a positive number of milliseconds",
    );
    expect(await store.list("")).toEqual([]);
  });
});
