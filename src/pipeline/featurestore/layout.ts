/**
 * A feature group's reference and the reading of its keys: the store, its cleanup, its repair and
 * `energy-forecast doctor` recognise partition files and groups through these functions. The keys
 * themselves are named in storage/layout.ts (`featureGroupPrefix` and the functions next to it):
 *
 *     features/<name>/v<version>/manifest.json
 *     features/<name>/v<version>/data/date=<yyyy-MM-dd>/part-<commit, 6 digits>.parquet
 */
import { FEATURE_GROUP_PREFIX, FEATURE_PART_NAME, featureDataPrefix } from "../storage/layout.js";

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

/** Day and commit of a partition file's key, or undefined for a key that is not one of ours. */
export function parsePartKey(prefix: string, key: string): { day: string; commit: number } | undefined {
  const data = featureDataPrefix(prefix);
  if (!key.startsWith(data)) return undefined;
  const m = FEATURE_PART_NAME.exec(key.slice(data.length));
  return m ? { day: m[1], commit: Number(m[2]) } : undefined;
}

/** Every feature group (`features/<name>/v<version>/`) that has at least one object among `keys`. */
export function groupsIn(keys: readonly string[]): Array<{ name: string; version: number; prefix: string }> {
  const found = new Map<string, { name: string; version: number; prefix: string }>();
  for (const key of keys) {
    const m = FEATURE_GROUP_PREFIX.exec(key);
    if (m && !found.has(m[0])) found.set(m[0], { name: m[1], version: Number(m[2]), prefix: m[0] });
  }
  return Array.from(found.values());
}
