/**
 * A command's hold on the store: the store-wide lock, taken with a bounded wait, kept alive by a
 * heartbeat, and a guarded view of the store that refuses to write once the hold is gone.
 *
 * The lock lasts `leaseMs` from its last renewal, and a heartbeat renews it every `renewMs`, so a
 * live command keeps it however long it works, and another command can take it over only after a
 * whole lease without renewal (a crashed, frozen or blocked holder).
 *
 * A holder can lose its lease: another command took over after the lease ran out (the holder was
 * paused, or its event loop blocked, for longer than the lease), someone deleted the lock object,
 * or renewals kept failing. The holder then must not write another byte, so every write, delete and
 * exclusive create through {@link Lease.storage} first checks that
 * - the lease was not lost (a renewal found another owner's record, a deleted or expired lock);
 * - at least one renewal period of lease is left, renewing first if not (a write must not straddle
 *   the expiry);
 * - the lock object still holds our token (read from the store, so a takeover, or a lock deleted
 *   by hand and taken by another command, is seen at the next write, not at the next renewal);
 * and otherwise throws {@link LeaseLostError} naming the write it refused. The loss is final.
 *
 * What no lock without support from the storage can exclude: a write already sent when the
 * holder froze lands late; and between a check and its write there is one request's time. The
 * lease (minutes) against the renewal period and the per-write check keep those windows that narrow.
 */
import { formatSecond } from "../time/index.js";
import type { Clock, Logger } from "../core/effects.js";
import { silentLogger } from "../core/effects.js";
import { PipelineError } from "../core/errors.js";
import type { Storage } from "../storage/storage.js";
import { LeaseLostError, LockedError } from "./errors.js";
import { guardedStorage } from "./guard.js";
import type { Lock } from "./lock.js";
import type { LockRecord } from "./record.js";
import { acquireLockWaiting, type WaitOptions } from "./wait.js";

/** Options of {@link takeLease}. */
export interface LeaseOptions {
  /** Lock name; default `run` (the store-wide lock `locks/run.json`). */
  name?: string;
  /** Run id of the command, shown to whoever finds the store locked. */
  owner: string;
  /** Store time: lock records and their expiry. Timers (renewal, waiting) run on process time. */
  clock: Clock;
  /** Host name recorded for humans; default the machine's host name. */
  host?: string;
  /** How long the lock holds after each renewal. */
  leaseMs: number;
  /** Time between renewals; at most half of `leaseMs`. */
  renewMs: number;
  /** Longest wait for a busy store; 0 fails at once. */
  waitMs: number;
  /** Time between attempts while waiting. */
  pollMs: number;
  logger?: Logger;
  /** Waiting hooks for tests (see {@link WaitOptions}). */
  wait?: Pick<WaitOptions, "elapsed" | "sleep">;
}

/** A held lease on the store's lock. */
export interface Lease {
  readonly lock: Lock;
  /** The store, guarded: reads pass on; writes, deletes and exclusive creates first {@link Lease.check}. */
  readonly storage: Storage;
  /** Why the lease was lost; undefined while it is held. */
  readonly lost: string | undefined;
  /** Throws {@link LeaseLostError} (refusing `action`, e.g. `writing x.json`) unless the lease is still ours and fresh. */
  check(action: string): Promise<void>;
  /** Renews now (what the heartbeat does); a loss is recorded, not thrown. */
  renew(): Promise<void>;
  /** Stops the heartbeat and deletes the lock object if it is still ours (true when it did). */
  release(): Promise<boolean>;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Takes the store's lock for `options.owner`, waiting up to `waitMs` for another holder (then
 * {@link LockedError}, exit 5), and starts renewing it every `renewMs`. Call {@link Lease.release}
 * when done, also on failure.
 */
export async function takeLease(storage: Storage, options: LeaseOptions): Promise<Lease> {
  const { owner, clock, leaseMs, renewMs } = options;
  if (!(renewMs > 0) || renewMs * 2 > leaseMs) {
    throw new PipelineError("lock", `invalid lease: renewal every ${renewMs} ms for a lease of ${leaseMs} ms; renew at least twice per lease`);
  }
  const logger = options.logger ?? silentLogger;
  const lock = await acquireLockWaiting(
    storage,
    { name: options.name, owner, ttlMs: leaseMs, clock, host: options.host },
    {
      waitMs: options.waitMs,
      pollMs: options.pollMs,
      ...options.wait,
      onWait: (refusal) =>
        logger.info(`lock: the store is locked; waiting up to ${options.waitMs / 1000} s (LOCK_WAIT_SECONDS), trying every ${options.pollMs / 1000} s`, {
          holder: refusal.holder?.owner ?? "?",
          since: refusal.holder ? formatSecond(refusal.holder.acquiredAt) : "?",
        }),
    },
  );
  const { key } = lock;
  const where = `${key} in ${storage.uri}`;

  let lost: { why: string; holder?: LockRecord } | undefined;
  let released = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The renewal in flight: renewals never overlap, and release waits for one to finish. */
  let renewing: Promise<void> | undefined;
  let lastRenewed = lock.acquiredAt.getTime();
  let renewError: string | undefined;

  function lose(why: string, holder?: LockRecord): void {
    if (lost !== undefined) return;
    lost = { why, holder };
    if (timer !== undefined) clearTimeout(timer);
    if (!released) logger.warn(`lock: ${owner} lost its lease on ${where} (${why}); it stops before its next write`);
  }

  async function renewOnce(): Promise<void> {
    if (lost !== undefined || released) return;
    try {
      await lock.refresh();
      // When the renewed lease started, not when its answer came back (a process frozen mid-renewal).
      lastRenewed = lock.expiresAt.getTime() - leaseMs;
      renewError = undefined;
    } catch (error) {
      if (error instanceof LockedError) {
        lose(error.reason ?? error.message, error.holder);
        return;
      }
      // A storage hiccup: the lease still runs until its expiry; the next beat (or write) tries again.
      renewError = messageOf(error);
      logger.warn(
        `lock: could not renew ${where}: ${renewError}; the lease runs until ${formatSecond(lock.expiresAt.getTime())}, retrying in ${renewMs / 1000} s`,
      );
    }
  }

  function renew(): Promise<void> {
    renewing ??= renewOnce().finally(() => (renewing = undefined));
    return renewing;
  }

  function schedule(): void {
    if (lost !== undefined || released) return;
    timer = setTimeout(() => void renew().finally(schedule), renewMs);
    // The heartbeat alone must not keep a finished process alive.
    timer.unref();
  }

  /** At least one renewal period of lease left: a write started now ends before anyone may take over. */
  const fresh = (): boolean => clock.now().getTime() + renewMs < lock.expiresAt.getTime();

  async function check(action: string): Promise<void> {
    if (released && lost === undefined) lose("the lease was released");
    if (lost === undefined && !fresh()) {
      // Not the renewal already in flight: it may have started before a freeze, and its success
      // says nothing about who holds the lock now. A renewal started now finds any takeover.
      await renewing;
      await renew();
    }
    if (lost === undefined && !fresh()) {
      lose(
        `it was last renewed at ${formatSecond(lastRenewed)} and runs out at ${formatSecond(lock.expiresAt.getTime())}` +
          (renewError === undefined ? "; renewals were missed (was the process paused or busy?)" : `; renewing failed: ${renewError}`),
      );
    }
    if (lost === undefined) {
      const problem = await lock.verify();
      if (problem !== undefined) lose(problem.reason ?? problem.message, problem.holder);
    }
    if (lost !== undefined) {
      throw new LeaseLostError(
        `${owner} lost its lease on ${where} (${lost.why}) and stopped before ${action}; ` +
          "another command may be writing the store: rerun this one when it has finished",
        { holder: lost.holder, refused: action, reason: lost.why },
      );
    }
  }

  async function release(): Promise<boolean> {
    released = true;
    if (timer !== undefined) clearTimeout(timer);
    await renewing;
    return lock.release();
  }

  schedule();
  return {
    lock,
    storage: guardedStorage(storage, check),
    get lost() {
      return lost?.why;
    },
    check,
    renew,
    release,
  };
}
