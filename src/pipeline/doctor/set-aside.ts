/**
 * Setting a damaged object aside: what cannot be read is moved under `damaged/` (same key below
 * it), never deleted, so a human can still inspect or restore it. Used by the feature store's
 * upsert (a damaged part it replaces) and by `energy-forecast doctor --repair`.
 */
import { PipelineError } from "../core/errors.js";
import { DAMAGED_PREFIX, damagedKey } from "../storage/layout.js";
import { readIfExists, type Storage } from "../storage/storage.js";

/** Most copies of one key kept under `damaged/` (`<key>`, then `<name>.1.<ext>`...). */
const MAX_COPIES = 1000;

/**
 * Moves `key` to `damaged/<key>` (or `damaged/<name>.<n>.<ext>` when an earlier copy is there):
 * an exclusive create of the copy, then the delete of the original, so no copy is ever
 * overwritten and a crash in between leaves both. Returns the copy's key, or undefined when
 * `key` does not exist (nothing to keep).
 */
export async function setAside(storage: Storage, key: string): Promise<string | undefined> {
  const bytes = await readIfExists(storage, key);
  if (bytes === undefined) return undefined;
  for (let n = 0; n < MAX_COPIES; n++) {
    const target = damagedKey(key, n);
    if (await storage.createExclusive(target, bytes)) {
      await storage.delete(key);
      return target;
    }
  }
  throw new PipelineError("doctor", `${MAX_COPIES} damaged copies of ${key} are already kept under ${DAMAGED_PREFIX} in ${storage.uri}; remove old ones`);
}
