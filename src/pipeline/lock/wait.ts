/**
 * Taking the store's lock with a bounded wait: a command that finds another command's lock tries
 * again every `pollMs` until `waitMs` have passed, then gives up with the holder's details.
 */
import { performance } from "node:perf_hooks";
import type { Storage } from "../storage/storage.js";
import { LockedError } from "./errors.js";
import { acquireLock, type AcquireLockOptions, type Lock } from "./lock.js";

/** How long to wait for a busy store, and how to wait. */
export interface WaitOptions {
  /** Longest wait in total; 0 fails at the first refusal, with the lock's own message. */
  waitMs: number;
  /** Time between attempts. */
  pollMs: number;
  /** Called once, at the first refusal that will be waited out (to tell the operator). */
  onWait?: (refusal: LockedError) => void;
  /** Elapsed-time source; default the monotonic clock. The wait is process time, not store time. */
  elapsed?: () => number;
  /** Pause; default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * {@link acquireLock}, retried while the refusal is one that waiting can cure (another run holds the
 * lock or is taking it over). After `waitMs` it throws {@link LockedError}: the lock's message
 * prefixed with how long it waited. Other errors (an invalid lock object, storage failures) are
 * thrown at once.
 */
export async function acquireLockWaiting(storage: Storage, options: AcquireLockOptions, wait: WaitOptions): Promise<Lock> {
  const elapsed = wait.elapsed ?? (() => performance.now());
  const sleep = wait.sleep ?? realSleep;
  const start = elapsed();
  let told = false;
  for (;;) {
    try {
      return await acquireLock(storage, options);
    } catch (error) {
      if (!(error instanceof LockedError) || !error.retryable) throw error;
      const left = wait.waitMs - (elapsed() - start);
      if (left <= 0) {
        if (wait.waitMs <= 0) throw error;
        throw new LockedError(`still locked after waiting ${wait.waitMs / 1000} s (LOCK_WAIT_SECONDS): ${error.message.replace(/^lock: /, "")}`, {
          holder: error.holder,
          retryable: true,
        });
      }
      if (!told) wait.onWait?.(error);
      told = true;
      await sleep(Math.min(wait.pollMs, left));
    }
  }
}
