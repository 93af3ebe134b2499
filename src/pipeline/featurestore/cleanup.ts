/**
 * Cleanup of partition files no manifest needs any more. Two rules, so that no reader ever finds
 * a file gone under its feet and no writer's work is lost:
 *
 * 1. A file that the current or the previous manifest references is never deleted (a reader may
 *    have loaded the previous manifest just before the commit).
 * 2. Any other file is deleted only once the manifest's commit history shows it has been
 *    unreferenced for longer than the grace period (`cleanupGraceMs`, default 1 hour). Its age is
 *    taken from the commit history, not from the storage's object times (which the storage
 *    interface does not expose, and which would differ between the local disk and GCS): the file
 *    `date=D/part-N` stopped being referenced at the first later commit that rewrote day D; a
 *    file that no commit ever referenced (an upsert that died before its commit) counts from
 *    commit N, or the oldest recorded commit when the bounded history no longer holds N. A file
 *    of a commit the manifest has not reached yet (a writer in flight), a file whose name is not
 *    a partition file's, and every file when the history is empty are kept.
 *
 * So a manifest version is "live" from its commit until the grace period after the commit that
 * replaced it: a reader that loaded it may read its files for at least that long.
 */
import type { Logger } from "../core/effects.js";
import { featureDataPrefix } from "../storage/layout.js";
import type { Storage } from "../storage/storage.js";
import { parsePartKey } from "./layout.js";
import type { FeatureGroupManifest } from "./manifest.js";

/** When the history says `key` stopped being referenced (epoch ms), or undefined when it cannot tell. */
export function unreferencedSince(prefix: string, key: string, current: FeatureGroupManifest): number | undefined {
  const part = parsePartKey(prefix, key);
  if (!part || part.commit > current.commit || current.history.length === 0) return undefined;
  const history = [...current.history].sort((a, b) => a.commit - b.commit);
  const superseded = history.find((h) => h.commit > part.commit && h.partitions.includes(part.day));
  const since = superseded ?? history.find((h) => h.commit >= part.commit);
  return since === undefined ? undefined : Date.parse(since.at);
}

/** What a cleanup did. */
export interface CleanupReport {
  deleted: string[];
  /** Unreferenced files kept because they are younger than the grace period or cannot be dated. */
  kept: number;
}

/**
 * Deletes the group's unreferenced partition files that have been unreferenced for longer than
 * `graceMs` at `now` (see the module comment for the rules).
 */
export async function cleanupPartitions(
  storage: Storage,
  prefix: string,
  previous: FeatureGroupManifest,
  current: FeatureGroupManifest,
  now: Date,
  graceMs: number,
  logger?: Logger,
): Promise<CleanupReport> {
  const live = new Set([...Object.values(previous.partitions), ...Object.values(current.partitions)].map((p) => p.key));
  const report: CleanupReport = { deleted: [], kept: 0 };
  for (const key of await storage.list(featureDataPrefix(prefix))) {
    if (live.has(key)) continue;
    const since = unreferencedSince(prefix, key, current);
    if (since !== undefined && now.getTime() - since >= graceMs) {
      await storage.delete(key);
      report.deleted.push(key);
    } else {
      report.kept++;
    }
  }
  if (report.deleted.length > 0 || report.kept > 0) {
    logger?.debug("featurestore: cleanup", { deleted: report.deleted.length, keptInGracePeriod: report.kept, graceMinutes: graceMs / 60_000 });
  }
  return report;
}
