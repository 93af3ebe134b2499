/**
 * The storage a lock holder writes through: reads pass straight on, and every write, delete and
 * exclusive create first asks the lease whether it is still ours and fresh, so a command that lost
 * the store's lock stops before its next write instead of writing beside the new holder.
 */
import type { Storage } from "../storage/storage.js";

/**
 * Wraps `inner` so that `check(action)` runs, and may throw, before every mutating call. `action`
 * names the call for the message, e.g. `writing runs/run-1/manifest.json`.
 */
export function guardedStorage(inner: Storage, check: (action: string) => Promise<void>): Storage {
  return {
    get uri() {
      return inner.uri;
    },
    read: (key) => inner.read(key),
    list: (prefix) => inner.list(prefix),
    exists: (key) => inner.exists(key),
    async write(key, data, options) {
      await check(`writing ${key}`);
      return inner.write(key, data, options);
    },
    async createExclusive(key, data, options) {
      await check(`creating ${key}`);
      return inner.createExclusive(key, data, options);
    },
    async delete(key) {
      await check(`deleting ${key}`);
      return inner.delete(key);
    },
  };
}
