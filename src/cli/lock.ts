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
  try {
    return await f();
  } finally {
    await lock.release();
  }
}
