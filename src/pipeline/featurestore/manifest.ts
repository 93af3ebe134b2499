import { PipelineError } from "../core/errors.js";
import type { DatasetInfo } from "../dataset/spec.js";

/** One day-partition of a feature group version. */
export interface PartitionEntry {
  /** Storage key of the partition's parquet file. */
  key: string;
  rows: number;
  /** First and last hour in the partition (epoch ms). */
  minTime: number;
  maxTime: number;
}

/** One committed upsert. */
export interface CommitEntry {
  commit: number;
  at: string;
  runId: string;
  added: number;
  changed: number;
  partitions: string[];
}

/**
 * The feature group's table of contents. Written last and atomically on every commit: readers see
 * either the old set of partition files or the new one, never a mix, even if a run dies mid-way.
 */
export interface FeatureGroupManifest {
  format: "energy-forecast/feature-group";
  formatVersion: 1;
  name: string;
  version: number;
  /** Increases by one per commit that changed data; the "feature-store version" models record. */
  commit: number;
  updatedAt: string;
  rows: number;
  /** Partition day (`yyyy-MM-dd`, UTC) -> its file. */
  partitions: Record<string, PartitionEntry>;
  /** The dataset whose series the group holds (key columns, unit); absent in stores from before it was recorded (DE35). */
  dataset?: DatasetInfo;
  /** The most recent commits, newest last (bounded). */
  history: CommitEntry[];
}

/** Commits kept in the manifest's history. */
export const HISTORY_LIMIT = 100;

/** Parses a stored manifest, with a clear error for a corrupt or foreign file. */
export function parseManifest(text: string, key: string): FeatureGroupManifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (cause) {
    throw new PipelineError("featurestore", `manifest "${key}" is not valid JSON; restore it from a backup or re-ingest into a new FEATURE_GROUP_VERSION`, { cause });
  }
  const ok =
    typeof m === "object" && m !== null &&
    (m as FeatureGroupManifest).format === "energy-forecast/feature-group" &&
    typeof (m as FeatureGroupManifest).partitions === "object" &&
    Number.isInteger((m as FeatureGroupManifest).commit);
  if (!ok) {
    throw new PipelineError("featurestore", `manifest "${key}" is not a feature-group manifest (format energy-forecast/feature-group); restore it or re-ingest into a new FEATURE_GROUP_VERSION`);
  }
  if ((m as FeatureGroupManifest).formatVersion !== 1) {
    throw new PipelineError("featurestore", `manifest "${key}" has format version ${(m as FeatureGroupManifest).formatVersion}, this code reads version 1; upgrade energy-forecast`);
  }
  return m as FeatureGroupManifest;
}
