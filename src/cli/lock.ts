import { acquireLock } from "../pipeline/lock/lock.js";
import type { CliContext } from "./context.js";

/** How long a run's lock lives without being released: a dead run blocks the store at most this long. */
const LOCK_TTL_MS = 2 * 60 * 60 * 1000;

/**
 * Runs `f` holding the store's run lock, so two scheduled runs never write the same store at
 * once; the second fails fast with a message naming the holder. Released on success and failure.
 */
export async function withRunLock<T>(ctx: CliContext, owner: string, f: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(ctx.storage, { name: "run", owner, ttlMs: LOCK_TTL_MS, clock: ctx.clock });
  let result: T;
  try {
    result = await f();
  } catch (error) {
    // The run's own error is what the operator must see, even if the store fails the release too.
    await lock.release().catch((releaseError: unknown) => ctx.logger.warn("lock: could not release locks/run.json after the failure; delete it if no run holds it", { error: String(releaseError) }));
    throw error;
  }
  await lock.release();
  return result;
}
