/**
 * Where a feature group's objects live, in one place: the store, its cleanup, its repair and
 * `energy-forecast doctor` all name files through these functions.
 *
 *     features/<name>/v<version>/manifest.json
 *     features/<name>/v<version>/data/date=<yyyy-MM-dd>/part-<commit, 6 digits>.parquet
 */

/** A feature group and version, e.g. `energy_consumption` v1. */
export interface FeatureGroupRef {
  name: string;
  version: number;
  /**
   * How long a partition file stays after no manifest references it any more, so that a reader
   * that loaded an older manifest can still read it (default {@link DEFAULT_CLEANUP_GRACE_MS}).
   */
  cleanupGraceMs?: number;
}

/** One hour: the default grace period of unreferenced partition files. */
export const DEFAULT_CLEANUP_GRACE_MS = 60 * 60 * 1000;

/** The command that repairs a store; named by every error it can fix. */
export const REPAIR_COMMAND = "energy-forecast doctor --repair";

/** `features/<name>/v<version>/`. */
export function groupPrefix(group: Pick<FeatureGroupRef, "name" | "version">): string {
  return `features/${group.name}/v${group.version}/`;
}

/** The manifest of the group under `prefix`. */
export function manifestKeyOf(prefix: string): string {
  return `${prefix}manifest.json`;
}

/** Prefix of the group's partition files. */
export function dataPrefix(prefix: string): string {
  return `${prefix}data/`;
}

/** The partition file a commit writes for a day. */
export function partKey(prefix: string, day: string, commit: number): string {
  return `${dataPrefix(prefix)}date=${day}/part-${String(commit).padStart(6, "0")}.parquet`;
}

/** Day and commit of a partition file's key, or undefined for a key that is not one of ours. */
export function parsePartKey(prefix: string, key: string): { day: string; commit: number } | undefined {
  if (!key.startsWith(dataPrefix(prefix))) return undefined;
  const m = /^date=(\d{4}-\d{2}-\d{2})\/part-(\d+)\.parquet$/.exec(key.slice(dataPrefix(prefix).length));
  return m ? { day: m[1], commit: Number(m[2]) } : undefined;
}

/** Every feature group (`features/<name>/v<version>/`) that has at least one object among `keys`. */
export function groupsIn(keys: readonly string[]): Array<{ name: string; version: number; prefix: string }> {
  const found = new Map<string, { name: string; version: number; prefix: string }>();
  for (const key of keys) {
    const m = /^features\/([^/]+)\/v(\d+)\//.exec(key);
    if (m && !found.has(m[0])) found.set(m[0], { name: m[1], version: Number(m[2]), prefix: m[0] });
  }
  return Array.from(found.values());
}
