/**
 * The behaviour of store locks, as one suite run against each storage backend (lock.test.ts on
 * local disk, lock.gcs.test.ts on the GCS emulator behind the precondition proxy).
 */
import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/pipeline/core/effects.js";
import { ExitCode, PipelineError } from "../../../src/pipeline/core/errors.js";
import { LockedError } from "../../../src/pipeline/lock/errors.js";
import { acquireLock, readLock, type AcquireLockOptions, type Lock } from "../../../src/pipeline/lock/lock.js";
import { claimKey } from "../../../src/pipeline/storage/layout.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";

/** A clock tests move by hand. */
export function manualClock(iso: string): Clock & { advance(ms: number): void } {
  let t = Date.parse(iso);
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

const HOUR = 3_600_000;
const T0 = "2023-01-01T00:00:00.000Z";
const OWNER = "run-20230101T000000Z-abc123";

/** A fresh, empty store location; `open()` gives a new handle to it, as another process would have. */
export interface LockLocation {
  open(): Storage;
}

type Outcome = { ok: true; lock: Lock } | { ok: false; error: unknown };
const settle = (p: Promise<Lock>): Promise<Outcome> =>
  p.then(
    (lock) => ({ ok: true as const, lock }),
    (error: unknown) => ({ ok: false as const, error }),
  );

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The message of the LockedError `promise` rejects with (fails the test if it does anything else). */
async function lockedMessage(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LockedError);
  return messageOf(error);
}

/** Registers the shared lock tests; `makeLocation` must return a fresh, empty location each call. */
export function describeLockBehaviour(name: string, makeLocation: () => LockLocation | Promise<LockLocation>): void {
  describe(`${name}: store lock`, () => {
    const options = (clock: Clock, owner = OWNER, extra: Partial<AcquireLockOptions> = {}): AcquireLockOptions => ({
      owner,
      ttlMs: 2 * HOUR,
      clock,
      host: "build-1",
      ...extra,
    });

    it("takes a free store's lock and records owner, times and host in locks/run.json", async () => {
      const store = (await makeLocation()).open();
      const lock = await acquireLock(store, options(manualClock(T0)));
      expect(lock.key).toBe("locks/run.json");
      expect(lock.owner).toBe(OWNER);
      expect(lock.acquiredAt.toISOString()).toBe(T0);
      expect(lock.expiresAt.toISOString()).toBe("2023-01-01T02:00:00.000Z");
      const stored = JSON.parse(Buffer.from(await store.read("locks/run.json")).toString()) as Record<string, unknown>;
      expect(stored).toEqual({
        owner: OWNER,
        acquiredAt: T0,
        expiresAt: "2023-01-01T02:00:00.000Z",
        host: "build-1",
        token: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      expect(await readLock(store)).toEqual(stored);
      expect(await store.list("")).toEqual(["locks/run.json"]);
    });

    it("a second run fails fast with LockedError, exit code 5 and the exact message; the lock stays", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      await acquireLock(location.open(), options(clock));
      clock.advance(30 * 60_000);
      const other = location.open();
      const error = await acquireLock(other, options(clock, "run-20230101T003000Z-def456", { host: "build-2" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockedError);
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as LockedError).exitCode).toBe(ExitCode.locked);
      expect((error as LockedError).holder?.owner).toBe(OWNER);
      expect((error as LockedError).retryable).toBe(true); // waiting may help: the CLI retries it for LOCK_WAIT_SECONDS
      expect(messageOf(error)).toBe(
        `lock: the store ${other.uri} is locked by ${OWNER} on build-1 since 2023-01-01T00:00:00Z ` +
          "(expires 2023-01-01T02:00:00Z); wait for it to finish, or delete locks/run.json if that run is dead",
      );
      expect((await readLock(other))?.owner).toBe(OWNER);
    });

    it("release frees the store for the next run; releasing twice is harmless", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const first = await acquireLock(location.open(), options(clock));
      expect(await first.release()).toBe(true);
      expect(await location.open().list("locks/")).toEqual([]);
      expect(await first.release()).toBe(false);
      const second = await acquireLock(location.open(), options(clock, "run-2"));
      expect((await readLock(location.open()))?.owner).toBe("run-2");
      // The first run's late second release must not free the second run's lock.
      expect(await first.release()).toBe(false);
      expect((await readLock(location.open()))?.owner).toBe("run-2");
      expect(await second.release()).toBe(true);
    });

    it("locks of different names are independent", async () => {
      const store = (await makeLocation()).open();
      const clock = manualClock(T0);
      await acquireLock(store, options(clock, "run-a"));
      await acquireLock(store, options(clock, "run-b", { name: "backfill" }));
      expect(await store.list("locks/")).toEqual(["locks/backfill.json", "locks/run.json"]);
      await expect(acquireLock(store, options(clock, "run-c", { name: "backfill" }))).rejects.toThrow("is locked by run-b on build-1");
    });

    it("an expired lock is taken over; the old holder's release then leaves the new lock alone", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const old = await acquireLock(location.open(), options(clock, "run-old"));
      clock.advance(2 * HOUR - 1);
      await expect(acquireLock(location.open(), options(clock, "run-new"))).rejects.toBeInstanceOf(LockedError);
      clock.advance(1); // exactly at expiresAt: expired
      const taken = await acquireLock(location.open(), options(clock, "run-new"));
      expect(taken.acquiredAt.toISOString()).toBe("2023-01-01T02:00:00.000Z");
      const store = location.open();
      expect((await readLock(store))?.owner).toBe("run-new");
      expect(await old.release()).toBe(false);
      expect((await readLock(store))?.owner).toBe("run-new");
      // No takeover claims are left behind.
      expect(await store.list("locks/")).toEqual(["locks/run.json"]);
    });

    it("a takeover's lease, as the returned lock and the stored record both say, starts when the stale lock is replaced", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      await acquireLock(location.open(), options(clock, "run-old"));
      // Every reading of the clock moves it on 1 ms: the acquisition begins before the old lease
      // ends and replaces the lock after it, as a takeover under load does.
      clock.advance(2 * HOUR - 2);
      const ticking: Clock = {
        now: () => {
          clock.advance(1);
          return clock.now();
        },
      };
      const taken = await acquireLock(location.open(), options(ticking, "run-new"));
      const stored = await readLock(location.open());
      expect(stored?.owner).toBe("run-new");
      expect(taken.acquiredAt.toISOString()).toBe(stored?.acquiredAt);
      expect(taken.expiresAt.toISOString()).toBe(stored?.expiresAt);
      expect(taken.acquiredAt.getTime()).toBeGreaterThanOrEqual(Date.parse(T0) + 2 * HOUR);
      expect(taken.expiresAt.getTime() - taken.acquiredAt.getTime()).toBe(2 * HOUR);
    });

    it("of 6 runs started at once on a free store exactly one proceeds; the others name it", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const owners = Array.from({ length: 6 }, (_, i) => `run-${i}`);
      const outcomes = await Promise.all(owners.map((owner) => settle(acquireLock(location.open(), options(clock, owner)))));
      const winners = outcomes.filter((o) => o.ok);
      expect(winners).toHaveLength(1);
      const winner = (winners[0] as { lock: Lock }).lock.owner;
      expect((await readLock(location.open()))?.owner).toBe(winner);
      for (const outcome of outcomes.filter((o) => !o.ok)) {
        const error = (outcome as { error: unknown }).error;
        expect(error).toBeInstanceOf(LockedError);
        expect(messageOf(error)).toContain(`is locked by ${winner} on build-1 since`);
      }
    });

    it("of 6 runs racing for one expired lock exactly one takes it over; the others get LockedError", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      await acquireLock(location.open(), options(clock, "run-dead"));
      clock.advance(3 * HOUR);
      const owners = Array.from({ length: 6 }, (_, i) => `run-${i}`);
      const outcomes = await Promise.all(owners.map((owner) => settle(acquireLock(location.open(), options(clock, owner)))));
      const winners = outcomes.filter((o) => o.ok);
      expect(winners).toHaveLength(1);
      const winner = (winners[0] as { lock: Lock }).lock.owner;
      const store = location.open();
      expect((await readLock(store))?.owner).toBe(winner);
      for (const outcome of outcomes.filter((o) => !o.ok)) {
        const error = (outcome as { error: unknown }).error;
        expect(error).toBeInstanceOf(LockedError);
        // Either the winner's lock, or its takeover in progress, stood in the way.
        expect(messageOf(error)).toMatch(new RegExp(`is locked by ${winner} on build-1 since|is being taken over by ${winner} since`));
      }
      expect(await store.list("locks/")).toEqual(["locks/run.json"]);
    });

    it("a run that read the expired lock before another run's whole takeover does not delete the new lock", async () => {
      // The race a plain "delete, then create" loses: B reads the expired lock, A takes it over, then
      // B, acting on what it read, would delete A's fresh lock and create its own.
      const location = await makeLocation();
      const clock = manualClock(T0);
      await acquireLock(location.open(), options(clock, "run-dead"));
      clock.advance(3 * HOUR);
      let reachedGate!: () => void;
      let openGate!: () => void;
      const atGate = new Promise<void>((resolve) => (reachedGate = resolve));
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      const inner = location.open();
      let gated = false;
      const slow: Storage = {
        ...inner,
        read: async (k) => {
          const bytes = await inner.read(k);
          if (k === "locks/run.json" && !gated) {
            gated = true;
            reachedGate();
            await gate;
          }
          return bytes;
        },
      };
      const runB = settle(acquireLock(slow, options(clock, "run-B")));
      await atGate; // B holds the expired lock's content in hand
      const a = await acquireLock(location.open(), options(clock, "run-A"));
      openGate();
      const b = await runB;
      expect(b.ok).toBe(false);
      const error = (b as { error: unknown }).error;
      expect(error).toBeInstanceOf(LockedError);
      expect(messageOf(error)).toContain("is locked by run-A on build-1 since 2023-01-01T03:00:00Z");
      const store = location.open();
      expect((await readLock(store))?.owner).toBe("run-A");
      expect(await a.release()).toBe(true);
      expect(await store.list("locks/")).toEqual([]);
    });

    it("a live takeover claim makes others wait; an abandoned one (crashed claimant) is skipped once it expires", async () => {
      const location = await makeLocation();
      const store = location.open();
      const clock = manualClock(T0);
      await acquireLock(store, options(clock, "run-dead"));
      const stale = await readLock(store);
      clock.advance(3 * HOUR);
      // What a run that crashed mid-takeover leaves: its claim, and the expired lock still in place.
      const claim = {
        owner: "run-crashed",
        claimedAt: clock.now().toISOString(),
        expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
        token: "0123456789abcdef",
      };
      await store.write(claimKey("run", stale?.token ?? "", 0), JSON.stringify(claim));
      clock.advance(30_000);
      expect(await lockedMessage(acquireLock(location.open(), options(clock, "run-waits")))).toBe(
        `lock: the store ${store.uri} is being taken over by run-crashed since 2023-01-01T03:00:00Z ` +
          "(the lock of run-dead expired at 2023-01-01T02:00:00Z); wait for that run to finish",
      );
      clock.advance(30_000); // the claim expires
      const lock = await acquireLock(location.open(), options(clock, "run-next"));
      expect(lock.owner).toBe("run-next");
      expect(await store.list("locks/")).toEqual(["locks/run.json"]); // the abandoned claim is cleaned up
    });

    it("refresh moves the expiry on, so the lock is not taken over while its run is alive", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const lock = await acquireLock(location.open(), options(clock));
      clock.advance(HOUR + 50 * 60_000);
      await lock.refresh();
      expect(lock.expiresAt.toISOString()).toBe("2023-01-01T03:50:00.000Z");
      clock.advance(HOUR); // past the original expiry, before the new one
      await expect(acquireLock(location.open(), options(clock, "run-other"))).rejects.toThrow(
        `is locked by ${OWNER} on build-1 since 2023-01-01T00:00:00Z (expires 2023-01-01T03:50:00Z)`,
      );
      expect(await lock.release()).toBe(true);
    });

    it("refresh fails with the exact message once the lock has expired or been taken over", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const lock = await acquireLock(location.open(), options(clock));
      const uri = location.open().uri;
      clock.advance(2 * HOUR);
      expect(await lockedMessage(lock.refresh())).toBe(
        `lock: run ${OWNER} no longer holds locks/run.json in ${uri}: it expired at 2023-01-01T02:00:00Z; ` +
          "stop this run, another run may be using the store",
      );
      await acquireLock(location.open(), options(clock, "run-next"));
      expect(await lockedMessage(lock.refresh())).toBe(
        `lock: run ${OWNER} no longer holds locks/run.json in ${uri}: it is held by run-next since 2023-01-01T02:00:00Z; ` +
          "stop this run, another run may be using the store",
      );
      expect((await readLock(location.open()))?.owner).toBe("run-next");
      await location.open().delete("locks/run.json");
      expect(await lockedMessage(lock.refresh())).toBe(
        `lock: run ${OWNER} no longer holds locks/run.json in ${uri}: the lock object was deleted; ` + "stop this run, another run may be using the store",
      );
      expect(await location.open().list("locks/")).toEqual([]);
    });

    it("verify reads the lock without writing: nothing while it is ours, else the reason refresh would give", async () => {
      const location = await makeLocation();
      const clock = manualClock(T0);
      const lock = await acquireLock(location.open(), options(clock));
      expect(await lock.verify()).toBeUndefined();
      clock.advance(2 * HOUR);
      const expired = await lock.verify();
      expect(expired).toBeInstanceOf(LockedError);
      expect(expired?.reason).toBe("it expired at 2023-01-01T02:00:00Z");
      await acquireLock(location.open(), options(clock, "run-next"));
      const taken = await lock.verify();
      expect(taken?.reason).toBe("it is held by run-next since 2023-01-01T02:00:00Z");
      expect(taken?.holder?.owner).toBe("run-next");
      expect(taken?.retryable).toBe(false);
      expect(await location.open().list("locks/")).toEqual(["locks/run.json"]);
      expect((await readLock(location.open()))?.owner).toBe("run-next");
    });

    it("a lock object that is not a lock is reported, not overwritten", async () => {
      const store = (await makeLocation()).open();
      await store.write("locks/run.json", "garbage");
      expect(await lockedMessage(acquireLock(store, options(manualClock(T0))))).toBe(
        `lock: locks/run.json in ${store.uri} is not a valid lock object (not valid JSON); delete it if no run is using the store`,
      );
      await store.write("locks/run.json", JSON.stringify({ owner: "x", acquiredAt: T0, expiresAt: "soon", token: "t" }));
      await expect(acquireLock(store, options(manualClock(T0)))).rejects.toThrow("(expiresAt is not an ISO instant)");
      expect(Buffer.from(await store.read("locks/run.json")).toString()).toContain('"soon"');
    });
  });
}
