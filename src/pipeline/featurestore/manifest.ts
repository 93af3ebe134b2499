import { PipelineError } from "../core/errors.js";
import { UNITS, type DatasetInfo, type Unit } from "../dataset/spec.js";
import { REPAIR_COMMAND } from "./layout.js";

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
  /** Damaged partition files this commit set aside under `damaged/` (their days were rewritten or emptied). */
  setAside?: string[];
  /** What a repair commit (`doctor --repair`) did; absent for upserts. */
  note?: string;
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
    throw new PipelineError(
      "featurestore",
      `manifest "${key}" is not valid JSON; run ${REPAIR_COMMAND} to set it aside and rebuild it from the partition files`,
      { cause },
    );
  }
  const ok =
    typeof m === "object" &&
    m !== null &&
    (m as FeatureGroupManifest).format === "energy-forecast/feature-group" &&
    typeof (m as FeatureGroupManifest).partitions === "object" &&
    Number.isInteger((m as FeatureGroupManifest).commit);
  if (!ok) {
    throw new PipelineError(
      "featurestore",
      `manifest "${key}" is not a feature-group manifest (format energy-forecast/feature-group); run ${REPAIR_COMMAND} to set it aside and rebuild it from the partition files`,
    );
  }
  if ((m as FeatureGroupManifest).formatVersion !== 1) {
    throw new PipelineError(
      "featurestore",
      `manifest "${key}" has format version ${(m as FeatureGroupManifest).formatVersion}, this code reads version 1; upgrade energy-forecast`,
    );
  }
  return m as FeatureGroupManifest;
}

/** What can still be read from a manifest that does not parse (or parses but is damaged). */
export interface ManifestSalvage {
  /** The dataset, when the manifest parsed and recorded one. */
  dataset?: DatasetInfo;
  /** The dataset's name and unit, picked out of the text even when it is not valid JSON. */
  datasetName?: string;
  unit?: Unit;
  /** The highest commit number the text mentions (new commits must go beyond it). */
  commit?: number;
  /** The commit history, when the manifest parsed. */
  history: CommitEntry[];
}

/**
 * Reads what survives of a damaged manifest's text: everything when it parses; otherwise the
 * dataset's name and unit and the highest commit number, picked out by pattern, so a rebuilt
 * manifest keeps the unit a human configured.
 */
export function salvageManifest(text: string): ManifestSalvage {
  try {
    const m = JSON.parse(text) as Partial<FeatureGroupManifest>;
    if (typeof m === "object" && m !== null) {
      const dataset = isDatasetInfo(m.dataset) ? m.dataset : undefined;
      return {
        ...(dataset ? { dataset, datasetName: dataset.name, unit: dataset.unit } : {}),
        ...(Number.isInteger(m.commit) ? { commit: m.commit } : {}),
        history: Array.isArray(m.history) ? m.history.filter(isCommitEntry) : [],
      };
    }
  } catch {
    // Not JSON: fall through to pattern matching.
  }
  const unit = /"unit"\s*:\s*"([^"]*)"/.exec(text)?.[1];
  const name = /"dataset"\s*:\s*\{\s*"name"\s*:\s*"([^"]*)"/.exec(text)?.[1];
  const commits = Array.from(text.matchAll(/"commit"\s*:\s*(\d+)/g), (m) => Number(m[1]));
  return {
    ...(name !== undefined ? { datasetName: name } : {}),
    ...(unit !== undefined && (UNITS as readonly string[]).includes(unit) ? { unit: unit as Unit } : {}),
    ...(commits.length > 0 ? { commit: Math.max(...commits) } : {}),
    history: [],
  };
}

function isDatasetInfo(v: unknown): v is DatasetInfo {
  const d = v as DatasetInfo | undefined;
  return typeof d === "object" && d !== null && typeof d.name === "string" && Array.isArray(d.keys) && typeof d.unit === "string";
}

function isCommitEntry(v: unknown): v is CommitEntry {
  const c = v as CommitEntry | undefined;
  return typeof c === "object" && c !== null && Number.isInteger(c.commit) && typeof c.at === "string" && Array.isArray(c.partitions);
}
