/**
 * Setting a damaged object aside: what cannot be read is moved under `damaged/` (same key below
 * it), never deleted, so a human can still inspect or restore it. Used by the feature store's
 * upsert (a damaged part it replaces) and by `energy-forecast doctor --repair`.
 */
import { PipelineError } from "../core/errors.js";
import { readIfExists, type Storage } from "../storage/storage.js";

/** Prefix under which damaged objects are kept. Nothing in the pipeline reads or deletes it. */
export const DAMAGED_PREFIX = "damaged/";

/** Most copies of one key kept under `damaged/` (`<key>`, then `<name>.1.<ext>`...). */
const MAX_COPIES = 1000;

/** The key below `damaged/` for copy number `n` of `key` (0: the key itself). */
export function damagedKey(key: string, n = 0): string {
  if (n === 0) return `${DAMAGED_PREFIX}${key}`;
  const slash = key.lastIndexOf("/");
  const dot = key.lastIndexOf(".");
  const at = dot > slash ? dot : key.length;
  return `${DAMAGED_PREFIX}${key.slice(0, at)}.${n}${key.slice(at)}`;
}

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
