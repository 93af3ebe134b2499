/**
 * One run at a time per store. A run takes the lock object `locks/<name>.json` with an exclusive
 * create ({@link Storage.createExclusive}: `ifGenerationMatch: 0` on GCS, a hard link on disk), so
 * of two runs started together exactly one proceeds and the other fails fast with
 * {@link LockedError}. Locks expire (`ttlMs`), so a crashed run blocks the store only until then;
 * a live holder keeps its lock by renewing it ({@link Lock.refresh}, driven by the heartbeat of
 * lease.ts), so a takeover needs missed renewals, not just a long run.
 *
 * Taking over an expired lock is "delete, then create exclusively", and the delete is the danger:
 * two runs that both read the same expired lock would both delete, and the slower one would delete
 * the lock the faster one had just created, so both would run. So before deleting, a run must win
 * an exclusive *claim* for that particular lock (`locks/<name>.takeover/<token>-<n>.json`, keyed by
 * the expired lock's random token), then read the lock again and delete it only if it is still that
 * same expired lock. Losers of the claim get {@link LockedError}. A claim expires after
 * `takeoverMs`, in case its holder crashed mid-takeover; the next claim number is then free, so no
 * claim is ever deleted while someone may still be racing for it.
 *
 * What is left, since the Storage interface has no conditional write or delete: between the final
 * read and the delete, only the expired lock's own holder can change the lock (release/refresh).
 * Such a holder missed every renewal of a whole lease (a frozen or blocked process); refresh
 * refuses once the lock has expired, and the lease's guarded storage makes that holder stop before
 * its next write (lease.ts), so the window is one request wide.
 */
import { formatSecond } from "../time/index.js";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../core/effects.js";
import { PipelineError } from "../core/errors.js";
import { claimKey, claimPrefix, claimTokenPrefix, lockKey } from "../storage/layout.js";
import type { Storage } from "../storage/storage.js";
import { LockedError } from "./errors.js";
import { isExpired, isLockName, readClaimRecord, readLockRecord, serialiseRecord, type ClaimRecord, type LockRecord } from "./record.js";

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /** Lock name; the object is `locks/<name>.json`. Default `run`. */
  name?: string;
  /** Run id of the caller, shown to whoever finds the store locked. */
  owner: string;
  /** How long the lock holds without {@link Lock.refresh} (the lease); renew well within it. */
  ttlMs: number;
  clock: Clock;
  /** Host name recorded for humans; default the machine's host name. */
  host?: string;
  /** How long a takeover claim holds (a takeover takes a few requests). Default 60 s. */
  takeoverMs?: number;
}

/** A held lock. */
export interface Lock {
  /** The lock object's key, e.g. `locks/run.json`. */
  readonly key: string;
  readonly owner: string;
  readonly acquiredAt: Date;
  /** Current expiry; moves on with {@link Lock.refresh}. */
  readonly expiresAt: Date;
  /**
   * Extends the expiry to now + ttlMs. Throws {@link LockedError} when the lock is no longer ours or
   * has already expired (another run may have taken it over): the run should stop.
   */
  refresh(): Promise<void>;
  /**
   * Reads the lock object and returns the {@link LockedError} {@link Lock.refresh} would throw
   * (its `reason` says why: held by another run, deleted, expired), or undefined while the lock is
   * still ours and unexpired. Writes nothing.
   */
  verify(): Promise<LockedError | undefined>;
  /**
   * Deletes the lock object if it is still ours (read, compare, delete); true when it deleted it,
   * false when the lock had been taken over or deleted meanwhile (that other run's lock is left alone).
   */
  release(): Promise<boolean>;
}

/** Rounds of "create, else inspect" before giving up on a lock that keeps changing hands. */
const MAX_ROUNDS = 4;
/** Abandoned takeover claims tolerated for one expired lock before asking a human. */
const MAX_CLAIMS = 8;
const DEFAULT_TAKEOVER_MS = 60_000;

const instant = (ms: number): string => new Date(ms).toISOString();

function lockedBy(uri: string, key: string, holder: LockRecord): LockedError {
  const host = holder.host === undefined || holder.host === "" ? "" : ` on ${holder.host}`;
  return new LockedError(
    `the store ${uri} is locked by ${holder.owner}${host} since ${formatSecond(holder.acquiredAt)} ` +
      `(expires ${formatSecond(holder.expiresAt)}); wait for it to finish, or delete ${key} if that run is dead`,
    { holder, retryable: true },
  );
}

function checkOptions(name: string, options: AcquireLockOptions, takeoverMs: number): void {
  if (!isLockName(name)) {
    throw new PipelineError("lock", `invalid lock name ${JSON.stringify(name)}: use letters, digits, "_" and "-"`);
  }
  if (options.owner.trim() === "") throw new PipelineError("lock", "the lock owner (run id) must not be empty");
  for (const [field, value] of [
    ["ttlMs", options.ttlMs],
    ["takeoverMs", takeoverMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new PipelineError("lock", `invalid ${field} ${value}: expected a positive number of milliseconds`);
    }
  }
}

/**
 * Takes the store's lock `locks/<name>.json` for run `owner`, or throws {@link LockedError} with
 * who holds it, since when, until when, and what to do. An expired lock is taken over (see the
 * module comment); of several runs racing for a free or expired lock exactly one wins.
 */
export async function acquireLock(storage: Storage, options: AcquireLockOptions): Promise<Lock> {
  const name = options.name ?? "run";
  const takeoverMs = options.takeoverMs ?? DEFAULT_TAKEOVER_MS;
  checkOptions(name, options, takeoverMs);
  const { owner, ttlMs, clock } = options;
  const key = lockKey(name);
  const { uri } = storage;
  const start = clock.now().getTime();
  let record: LockRecord = {
    owner,
    acquiredAt: instant(start),
    expiresAt: instant(start + ttlMs),
    host: options.host ?? hostname(),
    token: randomBytes(8).toString("hex"),
  };
  const isOurs = (found: { token: string } | undefined): boolean => found?.token === record.token;
  const create = (objectKey: string, content: LockRecord | ClaimRecord): Promise<boolean> =>
    storage.createExclusive(objectKey, serialiseRecord(content), { contentType: "application/json" });

  /** Wins the claim to replace `stale`, returning its key; undefined when that takeover already happened. */
  async function claim(stale: LockRecord): Promise<string | undefined> {
    for (let attempt = 0; attempt < MAX_CLAIMS; attempt++) {
      const objectKey = claimKey(name, stale.token, attempt);
      const now = clock.now().getTime();
      const mine: ClaimRecord = { owner, claimedAt: instant(now), expiresAt: instant(now + takeoverMs), token: record.token };
      if (await create(objectKey, mine)) return objectKey;
      const other = await readClaimRecord(storage, objectKey);
      // Gone: its takeover finished and cleaned up; the caller reads the lock again.
      if (other === undefined) return undefined;
      if (isOurs(other)) return objectKey; // our create's answer was lost and a retry found it
      if (!isExpired(other, clock.now())) {
        throw new LockedError(
          `the store ${uri} is being taken over by ${other.owner} since ${formatSecond(other.claimedAt)} ` +
            `(the lock of ${stale.owner} expired at ${formatSecond(stale.expiresAt)}); wait for that run to finish`,
          { holder: stale, retryable: true },
        );
      }
      // An abandoned claim (its run crashed mid-takeover): try the next number.
    }
    throw new LockedError(
      `${MAX_CLAIMS} takeovers of the expired lock ${key} of ${stale.owner} in ${uri} were abandoned; ` +
        `delete ${key} and ${claimPrefix(name)} if no run is using the store`,
      { holder: stale },
    );
  }

  /** Replaces the expired lock `stale` with ours; false when the lock changed meanwhile. */
  async function takeOver(stale: LockRecord): Promise<boolean> {
    const claimed = await claim(stale);
    if (claimed === undefined) return false;
    try {
      // Read again after claiming: what we read before may be older than another run's whole takeover.
      const again = await readLockRecord(storage, key);
      const now = clock.now().getTime();
      if (again === undefined || again.token !== stale.token || !isExpired(again, new Date(now))) return false;
      await storage.delete(key);
      // Our lease starts now, after the stale one ended, not when this acquisition began.
      record = { ...record, acquiredAt: instant(now), expiresAt: instant(now + ttlMs) };
      return await create(key, record);
    } finally {
      await storage.delete(claimed);
    }
  }

  /**
   * Deletes claims left by takeovers of earlier locks (crashed claimants, finished takeovers).
   * Safe: their locks are gone for good (tokens never repeat), and a latecomer that claims one of
   * them reads the lock again before doing anything, finding ours.
   */
  async function cleanClaims(): Promise<void> {
    for (const leftover of await storage.list(claimPrefix(name))) {
      if (!leftover.startsWith(claimTokenPrefix(name, record.token))) await storage.delete(leftover);
    }
  }

  async function held(): Promise<Lock> {
    try {
      await cleanClaims();
    } catch (error) {
      // Do not keep a lock the caller never learns about; the cleanup error is the one to report.
      await release().catch(() => undefined);
      throw error;
    }
    return lock;
  }

  async function release(): Promise<boolean> {
    const current = await readLockRecord(storage, key);
    if (!isOurs(current)) return false;
    await storage.delete(key);
    return true;
  }

  async function verify(): Promise<LockedError | undefined> {
    const current = await readLockRecord(storage, key);
    // The time is taken after the read: a process paused during the read must not trust an older "now".
    const now = clock.now();
    let why: string | undefined;
    if (current === undefined) why = "the lock object was deleted";
    else if (!isOurs(current)) why = `it is held by ${current.owner} since ${formatSecond(current.acquiredAt)}`;
    else if (isExpired(current, now)) why = `it expired at ${formatSecond(current.expiresAt)}`;
    if (why === undefined) return undefined;
    return new LockedError(
      `run ${owner} no longer holds ${key} in ${uri}: ${why}; stop this run, another run may be using the store`,
      current === undefined ? { reason: why } : { holder: current, reason: why },
    );
  }

  async function refresh(): Promise<void> {
    const problem = await verify();
    if (problem !== undefined) throw problem;
    const next: LockRecord = { ...record, expiresAt: instant(clock.now().getTime() + ttlMs) };
    await storage.write(key, serialiseRecord(next), { contentType: "application/json" });
    record = next;
  }

  const lock: Lock = {
    key,
    owner,
    // Getters: a takeover restamps the record after this object exists.
    get acquiredAt() {
      return new Date(record.acquiredAt);
    },
    get expiresAt() {
      return new Date(record.expiresAt);
    },
    refresh,
    verify,
    release,
  };

  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await create(key, record)) return held();
    const current = await readLockRecord(storage, key);
    if (current === undefined) continue; // released between our create and our read
    if (isOurs(current)) return held(); // our create's answer was lost and a retry found it
    if (!isExpired(current, clock.now())) throw lockedBy(uri, key, current);
    if (await takeOver(current)) return held();
  }
  throw new LockedError(`could not take ${key} in ${uri}: it changed hands ${MAX_ROUNDS} times while we tried; retry`, { retryable: true });
}

/** The current lock of the store (for status displays), or undefined when it is free. Expired locks are returned too. */
export async function readLock(storage: Storage, name = "run"): Promise<LockRecord | undefined> {
  if (!isLockName(name)) {
    throw new PipelineError("lock", `invalid lock name ${JSON.stringify(name)}: use letters, digits, "_" and "-"`);
  }
  return readLockRecord(storage, lockKey(name));
}
