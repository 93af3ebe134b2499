/**
 * The behaviour of lock leases (renewal, loss, the guarded store) and of waiting for a busy store,
 * as one suite run against each storage backend (lock.test.ts on local disk, lock.gcs.test.ts on
 * the GCS emulator behind the precondition proxy).
 *
 * Most tests move a manual clock and call `renew()` where the heartbeat would, with a 10-minute
 * lease renewed every 2 minutes (its timer never fires within a test); one test lets the real
 * heartbeat run on the real clock with a 1.5 s lease.
 */
import { describe, expect, it } from "vitest";
import { memoryLogger, systemClock, type Clock, type Logger } from "../../../src/pipeline/core/effects.js";
import { ExitCode } from "../../../src/pipeline/core/errors.js";
import { LeaseLostError, LockedError } from "../../../src/pipeline/lock/errors.js";
import { takeLease, type Lease, type LeaseOptions } from "../../../src/pipeline/lock/lease.js";
import { acquireLock, readLock } from "../../../src/pipeline/lock/lock.js";
import { acquireLockWaiting } from "../../../src/pipeline/lock/wait.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { formatSecond } from "../../../src/pipeline/time/index.js";
import { faultyStorage } from "../../support/faulty-storage.js";
import { manualClock, type LockLocation } from "./behaviour.js";

const MIN = 60_000;
const T0 = "2023-01-01T00:00:00.000Z";
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** What `promise` rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  expect(outcome.resolved).toBe(false);
  return (outcome as { error: unknown }).error;
}

/** The exact message of a lease lost by `owner` because `why`, refusing `action`. */
function lostMessage(owner: string, uri: string, why: string, action: string): string {
  return (
    `lock: ${owner} lost its lease on locks/run.json in ${uri} (${why}) and stopped before ${action}; ` +
    "another command may be writing the store: rerun this one when it has finished"
  );
}

/** The lock module's own message for a store held by `owner` on build-1. */
function lockedMessage(uri: string, owner: string, since: number, expires: number): string {
  return (
    `lock: the store ${uri} is locked by ${owner} on build-1 since ${formatSecond(since)} (expires ${formatSecond(expires)}); ` +
    "wait for it to finish, or delete locks/run.json if that run is dead"
  );
}

/**
 * `inner`, except that the first write of `key` lands in the store but its answer is held back
 * until `answer()`: a process frozen between a request and its reply. `landed` resolves once the
 * write is in the store.
 */
function answerHeldStorage(inner: Storage, key: string): Storage & { landed: Promise<void>; answer(): void } {
  let landedResolve!: () => void;
  let answerResolve!: () => void;
  const landed = new Promise<void>((resolve) => (landedResolve = resolve));
  const answered = new Promise<void>((resolve) => (answerResolve = resolve));
  let held = false;
  return {
    get uri() {
      return inner.uri;
    },
    read: (k) => inner.read(k),
    list: (prefix) => inner.list(prefix),
    exists: (k) => inner.exists(k),
    createExclusive: (k, data, options) => inner.createExclusive(k, data, options),
    delete: (k) => inner.delete(k),
    async write(k, data, options) {
      await inner.write(k, data, options);
      if (k === key && !held) {
        held = true;
        landedResolve();
        await answered;
      }
    },
    landed,
    answer: () => answerResolve(),
  };
}

/** Registers the shared lease tests; `makeLocation` must return a fresh, empty location each call. */
export function describeLeaseBehaviour(name: string, makeLocation: () => LockLocation | Promise<LockLocation>): void {
  describe(`${name}: lock leases`, () => {
    const take = (store: Storage, clock: Clock, owner: string, extra: Partial<LeaseOptions> = {}, logger: Logger = memoryLogger()): Promise<Lease> =>
      takeLease(store, { owner, clock, host: "build-1", leaseMs: 10 * MIN, renewMs: 2 * MIN, waitMs: 0, pollMs: 1000, logger, ...extra });
    const contend = (store: Storage, clock: Clock, owner = "run-other") => acquireLock(store, { owner, ttlMs: 10 * MIN, clock, host: "build-1" });

    it("renewal keeps a long holder's lock: renewed every 2 minutes for 3 leases, never taken over, every write goes through", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const holder = await take(location.open(), clock, "run-long");
      const uri = location.open().uri;
      for (let i = 1; i <= 15; i++) {
        clock.advance(2 * MIN);
        await holder.renew(); // what the heartbeat does every LOCK_RENEW_SECONDS
        const now = clock.now().getTime();
        expect(messageOf(await rejection(contend(location.open(), clock)))).toBe(lockedMessage(uri, "run-long", Date.parse(T0), now + 10 * MIN));
        await holder.storage.write(`work/${String(i).padStart(2, "0")}.txt`, `step ${i}`);
      }
      expect(holder.lost).toBeUndefined();
      expect(await location.open().list("work/")).toHaveLength(15);
      expect((await readLock(location.open()))?.expiresAt).toBe("2023-01-01T00:40:00.000Z");
      expect(await holder.release()).toBe(true);
      expect(await location.open().list("locks/")).toEqual([]);
    });

    it("a holder that stops renewing is taken over once its lease ran out, and stops before its next write with the exact message", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const logger = memoryLogger();
      const old = await take(location.open(), clock, "run-old", {}, logger);
      await old.storage.write("work/a.txt", "old");
      // The old holder is frozen: no renewals.
      clock.advance(10 * MIN - 1);
      await expect(contend(location.open(), clock, "run-new")).rejects.toBeInstanceOf(LockedError);
      clock.advance(1);
      const next = await take(location.open(), clock, "run-new");
      await next.storage.write("work/a.txt", "new");

      const uri = location.open().uri;
      const why = "it is held by run-new since 2023-01-01T00:10:00Z";
      const error = await rejection(old.storage.write("work/a.txt", "old, resumed"));
      expect(error).toBeInstanceOf(LeaseLostError);
      expect((error as LeaseLostError).exitCode).toBe(ExitCode.locked);
      expect((error as LeaseLostError).refused).toBe("writing work/a.txt");
      expect((error as LeaseLostError).holder?.owner).toBe("run-new");
      expect(messageOf(error)).toBe(lostMessage("run-old", uri, why, "writing work/a.txt"));
      expect(old.lost).toBe(why);
      expect(logger.lines).toContain(`warn  lock: run-old lost its lease on locks/run.json in ${uri} (${why}); it stops before its next write`);
      // The loss is final, and covers every kind of write; reads still work.
      expect(messageOf(await rejection(old.storage.delete("work/a.txt")))).toBe(lostMessage("run-old", uri, why, "deleting work/a.txt"));
      expect(messageOf(await rejection(old.storage.createExclusive("work/b.txt", "x")))).toBe(lostMessage("run-old", uri, why, "creating work/b.txt"));
      expect(text(await old.storage.read("work/a.txt"))).toBe("new");
      expect(await old.storage.list("work/")).toEqual(["work/a.txt"]);
      // Renewing does not bring it back, and its release leaves the new holder's lock alone.
      await old.renew();
      expect(old.lost).toBe(why);
      expect(await old.release()).toBe(false);
      expect((await readLock(location.open()))?.owner).toBe("run-new");
      expect(await next.release()).toBe(true);
    });

    it("a holder paused past its lease stops at its next write even when nobody took over", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const holder = await take(location.open(), clock, "run-paused");
      clock.advance(10 * MIN);
      const error = await rejection(holder.storage.write("work/late.txt", "x"));
      expect(messageOf(error)).toBe(lostMessage("run-paused", location.open().uri, "it expired at 2023-01-01T00:10:00Z", "writing work/late.txt"));
      expect(await location.open().exists("work/late.txt")).toBe(false);
      // Nobody else took it: its own (expired) lock object is still its to delete.
      expect(await holder.release()).toBe(true);
      expect(await location.open().list("")).toEqual([]);
    });

    it("a holder frozen while a renewal's answer was on its way, then taken over, names the new holder at its next write", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const store = answerHeldStorage(location.open(), "locks/run.json");
      const holder = await take(store, clock, "run-frozen");
      clock.advance(2 * MIN);
      const renewal = holder.renew(); // the heartbeat: its write lands, its answer is held
      await store.landed;
      clock.advance(10 * MIN); // frozen for a whole lease since that renewal
      const next = await take(location.open(), clock, "run-next");
      const writing = rejection(holder.storage.write("work/late.txt", "x"));
      store.answer();
      await renewal;
      const why = "it is held by run-next since 2023-01-01T00:12:00Z";
      expect(messageOf(await writing)).toBe(lostMessage("run-frozen", store.uri, why, "writing work/late.txt"));
      expect(await location.open().exists("work/late.txt")).toBe(false);
      expect(await holder.release()).toBe(false);
      expect(await next.release()).toBe(true);
    });

    it("a holder whose lease runs low (renewals missed, not yet expired) renews before it writes", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const holder = await take(location.open(), clock, "run-busy");
      clock.advance(9 * MIN); // less than one renewal period left: a write now might outlast the lease
      await holder.storage.write("work/ok.txt", "x");
      expect(holder.lost).toBeUndefined();
      expect(holder.lock.expiresAt.toISOString()).toBe("2023-01-01T00:19:00.000Z");
      expect((await readLock(location.open()))?.expiresAt).toBe("2023-01-01T00:19:00.000Z");
      expect(await holder.release()).toBe(true);
    });

    it("a lock deleted by hand and taken by another command is noticed at the holder's next write, before its next renewal", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const holder = await take(location.open(), clock, "run-alive");
      clock.advance(MIN);
      await location.open().delete("locks/run.json"); // "delete locks/run.json if that run is dead", but it was not
      const other = await take(location.open(), clock, "run-hand");
      const error = await rejection(holder.storage.write("work/x.txt", "x"));
      expect(messageOf(error)).toBe(lostMessage("run-alive", location.open().uri, "it is held by run-hand since 2023-01-01T00:01:00Z", "writing work/x.txt"));
      expect(await other.release()).toBe(true);
      // Deleted and not taken: the holder stops too, since anyone may take the store now.
      const lonely = await take(location.open(), clock, "run-lonely");
      await location.open().delete("locks/run.json");
      expect(messageOf(await rejection(lonely.storage.write("work/y.txt", "y")))).toBe(
        lostMessage("run-lonely", location.open().uri, "the lock object was deleted", "writing work/y.txt"),
      );
      expect(await lonely.release()).toBe(false);
      expect(await location.open().list("")).toEqual([]);
    });

    it("a renewal that fails on a storage error is retried; the lease is lost only once it runs low without a renewal", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const logger = memoryLogger();
      const store = faultyStorage(location.open());
      const holder = await take(store, clock, "run-flaky", {}, logger);
      const uri = store.uri;
      store.setFaults([{ op: "write", key: "locks/run.json", message: "connection reset" }]);
      clock.advance(2 * MIN);
      await holder.renew();
      expect(holder.lost).toBeUndefined();
      expect(logger.lines).toContain(
        `warn  lock: could not renew locks/run.json in ${uri}: storage: connection reset; the lease runs until 2023-01-01T00:10:00Z, retrying in 120 s`,
      );
      clock.advance(5 * MIN); // 3 minutes left: still safe to write
      await holder.storage.write("work/1.txt", "x");
      clock.advance(MIN + 1); // under 2 minutes left, and the renewal before the write fails too
      const error = await rejection(holder.storage.write("work/2.txt", "x"));
      expect(messageOf(error)).toBe(
        lostMessage(
          "run-flaky",
          uri,
          "it was last renewed at 2023-01-01T00:00:00Z and runs out at 2023-01-01T00:10:00Z; renewing failed: storage: connection reset",
          "writing work/2.txt",
        ),
      );
      store.setFaults([]);
      expect(await location.open().list("work/")).toEqual(["work/1.txt"]);
      expect(await holder.release()).toBe(true);
    });

    it("the heartbeat renews on its own: on the real clock, a holder working for 3 leases of 1.5 s is never taken over", async () => {
      const location = await makeLocation();
      const holder = await take(location.open(), systemClock, "run-heart", { leaseMs: 1500, renewMs: 250 });
      const started = Date.now();
      let contests = 0;
      // The holder computes without writing (a write would renew a low lease itself): only the timer renews.
      while (Date.now() - started < 4500) {
        const other = await acquireLock(location.open(), { owner: "run-other", ttlMs: 1500, clock: systemClock }).catch((e: unknown) => e);
        expect(other).toBeInstanceOf(LockedError);
        contests += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(contests).toBeGreaterThan(5);
      await holder.storage.write("work/beat.txt", "done");
      expect(holder.lost).toBeUndefined();
      const record = await readLock(location.open());
      expect(Date.parse(record?.expiresAt ?? "") - Date.parse(record?.acquiredAt ?? "")).toBeGreaterThan(4500);
      expect(await holder.release()).toBe(true);
      // Released: the heartbeat has stopped, nothing writes the lock again.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await location.open().list("locks/")).toEqual([]);
    }, 180_000);

    describe("waiting for a busy store", () => {
      /** Fake time for the wait: sleeping moves it on, and `onSleep` runs at each pause. */
      function fakeWait(onSleep: (n: number) => Promise<void> = async () => undefined) {
        let elapsed = 0;
        const sleeps: number[] = [];
        return {
          sleeps,
          hooks: {
            elapsed: () => elapsed,
            sleep: async (ms: number) => {
              sleeps.push(ms);
              elapsed += ms;
              await onSleep(sleeps.length);
            },
          },
        };
      }

      it("waits for the holder and takes the lock once it is released, telling the operator once", async () => {
        const location = await makeLocation();
        const clock = manualClock(T0);
        const busy = await contend(location.open(), clock, "run-busy");
        const wait = fakeWait(async (n) => {
          if (n === 3) await busy.release();
        });
        const logger = memoryLogger();
        const lease = await take(location.open(), clock, "run-waits", { waitMs: 60_000, pollMs: 5000, wait: wait.hooks }, logger);
        expect(lease.lock.owner).toBe("run-waits");
        expect(wait.sleeps).toEqual([5000, 5000, 5000]);
        expect(logger.lines).toEqual([
          "info  lock: the store is locked; waiting up to 60 s (LOCK_WAIT_SECONDS), trying every 5 s holder=run-busy since=2023-01-01T00:00:00Z",
        ]);
        expect(await lease.release()).toBe(true);
      });

      it("gives up after the wait with the holder's details and exit code 5", async () => {
        const location = await makeLocation();
        const clock = manualClock(T0);
        await contend(location.open(), clock, "run-busy");
        const wait = fakeWait();
        const error = await rejection(take(location.open(), clock, "run-waits", { waitMs: 12_000, pollMs: 5000, wait: wait.hooks }));
        expect(error).toBeInstanceOf(LockedError);
        expect((error as LockedError).exitCode).toBe(ExitCode.locked);
        expect(wait.sleeps).toEqual([5000, 5000, 2000]); // the last attempt is at the deadline
        expect(messageOf(error)).toBe(
          `lock: still locked after waiting 12 s (LOCK_WAIT_SECONDS): the store ${location.open().uri} is locked by run-busy on build-1 ` +
            "since 2023-01-01T00:00:00Z (expires 2023-01-01T00:10:00Z); wait for it to finish, or delete locks/run.json if that run is dead",
        );
        expect((await readLock(location.open()))?.owner).toBe("run-busy");
      });

      it("with no wait, fails at once with the lock's own message", async () => {
        const location = await makeLocation();
        const clock = manualClock(T0);
        await contend(location.open(), clock, "run-busy");
        const wait = fakeWait();
        const error = await rejection(take(location.open(), clock, "run-waits", { waitMs: 0, wait: wait.hooks }));
        expect(wait.sleeps).toEqual([]);
        expect(messageOf(error)).toBe(lockedMessage(location.open().uri, "run-busy", Date.parse(T0), Date.parse(T0) + 10 * MIN));
      });

      it("does not wait out a lock object that is not a lock: a human must look", async () => {
        const store = (await makeLocation()).open();
        await store.write("locks/run.json", "garbage");
        const wait = fakeWait();
        const error = await rejection(
          acquireLockWaiting(store, { owner: "run-waits", ttlMs: 10 * MIN, clock: manualClock(T0) }, { waitMs: 60_000, pollMs: 5000, ...wait.hooks }),
        );
        expect(wait.sleeps).toEqual([]);
        expect(messageOf(error)).toBe(
          `lock: locks/run.json in ${store.uri} is not a valid lock object (not valid JSON); delete it if no run is using the store`,
        );
      });
    });
  });
}
