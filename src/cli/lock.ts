import { takeLease, type Storage, type Workspace } from "../pipeline/index.js";

/**
 * Runs `f` holding the store-wide lock (`locks/run.json`), so no two commands that write the store
 * ever write it at once. Every writing command (ingest, train, predict, monitor, run, backfill)
 * goes through here; reads need no lock.
 *
 * One writer does not: a predict shard of a staged run (`run --stage predict`). It writes nothing
 * shared, only its own two files under `runs/<run id>/shards/` (forecasts, then the record that
 * publishes them), which are immutable and the same bytes on every attempt, and reads only what
 * prepare pinned (the feature window and a registered model version, which never change). Taking
 * the store-wide lock would serialise shards running on many machines for nothing; prepare and
 * finish, which write the shared objects, take it (src/pipeline/run/stages.ts).
 *
 * A busy store is waited for (LOCK_WAIT_SECONDS, trying every LOCK_POLL_SECONDS), then the command
 * exits 5 naming the holder. The lease (LOCK_LEASE_SECONDS) is renewed every LOCK_RENEW_SECONDS
 * while `f` works. `f` must write only through the storage it is given: that storage refuses
 * every write once the lease is lost (exit 5, the refused write named). The lock is released on
 * success and on failure; a failing release never hides `f`'s own error.
 */
export async function withStoreLock<T>(ctx: Workspace, owner: string, f: (storage: Storage) => Promise<T>): Promise<T> {
  const { waitMs, pollMs, leaseMs, renewMs } = ctx.config.lock;
  const lease = await takeLease(ctx.storage, { owner, clock: ctx.clock, logger: ctx.logger, waitMs, pollMs, leaseMs, renewMs });
  let result: T;
  try {
    result = await f(lease.storage);
  } catch (error) {
    // The run's own error is what the operator must see, even if the store fails the release too.
    await lease
      .release()
      .catch((releaseError: unknown) =>
        ctx.logger.warn(
          `lock: could not release ${lease.lock.key} after the failure; it expires by itself within LOCK_LEASE_SECONDS, or delete it if no command holds it`,
          { error: String(releaseError) },
        ),
      );
    throw error;
  }
  await lease.release();
  return result;
}
