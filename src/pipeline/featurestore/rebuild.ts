/**
 * Rebuilding a feature group's manifest from its partition files, for `energy-forecast doctor
 * --repair` when the manifest is missing or unreadable. Each day takes its newest partition file
 * that decodes; the dataset (key columns) comes from the files' own schema: the key columns are
 * the columns between `datetime_utc` and `energy_consumption`, typed as the parquet says. The unit
 * is not in the files: it is kept from the damaged manifest when that still says it, else DE35's
 * kWh for DE35's columns, else kWh with a warning.
 */
import type { ColumnTable } from "arquero";
import { featureSchema, LEGACY_DE35_INFO, TIME_COLUMN, VALUE_COLUMN, type DatasetInfo } from "../dataset/spec.js";
import { parquetSchema, readParquet } from "../parquet/read.js";
import type { KeyColumn, KeyType } from "../series/key.js";
import type { Storage } from "../storage/storage.js";
import { featureDataPrefix, featureDayPrefix, featureGroupPrefix, featureManifestKey } from "../storage/layout.js";
import { parsePartKey } from "./layout.js";
import { HISTORY_LIMIT, type FeatureGroupManifest, type ManifestSalvage, type PartitionEntry } from "./manifest.js";

const KEY_TYPES: readonly string[] = ["int8", "int32", "utf8"] satisfies KeyType[];

/** A partition file that decoded: its key columns, entry and rows. */
export interface InspectedPart {
  keys: KeyColumn[];
  entry: PartitionEntry;
  table: ColumnTable;
}

/**
 * Decodes a partition file without knowing the group's dataset: the columns must be
 * `datetime_utc` (timestamp), key columns (int8, int32 or utf8), `energy_consumption` (float64).
 * Returns the problem as text when the file is not such a part.
 */
export function inspectPart(bytes: Uint8Array, key: string): InspectedPart | string {
  let fields: Array<[string, string | undefined]>;
  try {
    fields = parquetSchema(bytes);
  } catch (error) {
    return `does not decode as parquet (${bytes.byteLength} bytes): ${String(error)}`;
  }
  const names = fields.map(([n]) => n);
  const first = fields[0];
  const last = fields[fields.length - 1];
  if (fields.length < 3 || first[0] !== TIME_COLUMN || first[1] !== "timestamp" || last[0] !== VALUE_COLUMN || last[1] !== "float64") {
    return `is not a feature partition: columns ${names.join(", ")}, expected ${TIME_COLUMN} (timestamp), key columns, ${VALUE_COLUMN} (float64)`;
  }
  const middle = fields.slice(1, -1);
  const bad = middle.find(([, type]) => type === undefined || !KEY_TYPES.includes(type));
  if (bad) return `key column "${bad[0]}" is ${bad[1] ?? "of an unsupported type"}, expected int8, int32 or utf8`;
  const keys = middle.map(([name, type]) => ({ name, type: type as KeyType }));
  let table: ColumnTable;
  try {
    table = readParquet(bytes, featureSchema(keys), key);
  } catch (error) {
    return `does not decode: ${error instanceof Error ? error.message : String(error)}`;
  }
  const times = table.array(TIME_COLUMN) as ArrayLike<number>;
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < minTime) minTime = times[i];
    if (times[i] > maxTime) maxTime = times[i];
  }
  if (times.length === 0) return "holds no rows";
  return { keys, entry: { key, rows: table.numRows(), minTime, maxTime }, table };
}

/** `area:int8,consumer_type:int32`, for comparisons and messages. */
export function describeKeyColumns(keys: readonly KeyColumn[]): string {
  return keys.map((k) => `${k.name}:${k.type}`).join(",");
}

/** A file of a day that cannot be used, and why. */
export interface UnusablePart {
  key: string;
  problem: string;
}

/**
 * The newest partition file of `day` with a commit number below `below` that decodes with the key
 * columns `keys` (any key columns when undefined). Files tried on the way that do not decode are
 * returned as unusable (newer first); older files are not read.
 */
export async function newestReadablePart(
  storage: Storage,
  prefix: string,
  day: string,
  keys: readonly KeyColumn[] | undefined,
  below = Infinity,
): Promise<{ found?: InspectedPart & { commit: number }; unusable: UnusablePart[] }> {
  const candidates = (await storage.list(featureDayPrefix(prefix, day)))
    .map((key) => ({ key, part: parsePartKey(prefix, key) }))
    .filter((c): c is { key: string; part: { day: string; commit: number } } => c.part !== undefined && c.part.day === day && c.part.commit < below)
    .sort((a, b) => b.part.commit - a.part.commit);
  const unusable: UnusablePart[] = [];
  for (const { key, part } of candidates) {
    const inspected = inspectPart(await storage.read(key), key);
    if (typeof inspected === "string") unusable.push({ key, problem: inspected });
    else if (keys && describeKeyColumns(inspected.keys) !== describeKeyColumns(keys)) {
      unusable.push({ key, problem: `has key columns ${describeKeyColumns(inspected.keys)}, the group's are ${describeKeyColumns(keys)}` });
    } else return { found: { ...inspected, commit: part.commit }, unusable };
  }
  return { unusable };
}

/** A manifest rebuilt from partition files, and what the rebuild found. */
export interface RebuildPlan {
  manifest: FeatureGroupManifest;
  /** Per day, the file taken. */
  chosen: Array<{ day: string; key: string; rows: number; commit: number }>;
  /** Files that cannot be used (corrupt, foreign): set them aside. */
  unusable: UnusablePart[];
  /** Objects under `data/` whose names are not partition files': left alone. */
  foreign: string[];
  warnings: string[];
}

/**
 * Plans a manifest for the group under `prefix` from its partition files, or undefined when it has
 * none. Reads every day's newest file (and older ones when that one does not decode); writes
 * nothing. The new commit number is above every file's and the damaged manifest's, so the next
 * upsert never overwrites an existing file; the commit history of a manifest that still parses is
 * kept, and the rebuild is recorded as a commit of `runId` with `note`.
 */
export async function planManifestRebuild(
  storage: Storage,
  group: { name: string; version: number },
  options: { now: Date; runId: string; note: string; salvage?: ManifestSalvage },
): Promise<RebuildPlan | undefined> {
  const prefix = featureGroupPrefix(group);
  const all = await storage.list(featureDataPrefix(prefix));
  const foreign = all.filter((k) => parsePartKey(prefix, k) === undefined);
  const parsed = all.map((k) => parsePartKey(prefix, k)).filter((p): p is { day: string; commit: number } => p !== undefined);
  if (parsed.length === 0) return undefined;
  const days = Array.from(new Set(parsed.map((p) => p.day)))
    .sort()
    .reverse();
  const warnings: string[] = [];
  const unusable: UnusablePart[] = [];
  const chosen: RebuildPlan["chosen"] = [];
  const partitions: Record<string, PartitionEntry> = {};
  let keys: KeyColumn[] | undefined = options.salvage?.dataset?.keys.map((k) => ({ name: k.name, type: k.type }));
  // The salvaged manifest's key columns win only if the newest data agrees; otherwise the files decide.
  for (const day of days) {
    let result = await newestReadablePart(storage, prefix, day, keys);
    if (!result.found && keys && options.salvage?.dataset && chosen.length === 0) {
      // No file of the newest day matches the damaged manifest's keys: let the files decide.
      keys = undefined;
      result = await newestReadablePart(storage, prefix, day, undefined);
    }
    unusable.push(...result.unusable);
    if (!result.found) {
      warnings.push(`day ${day}: no partition file decodes; re-ingest a window that covers it`);
      continue;
    }
    keys ??= result.found.keys;
    partitions[day] = result.found.entry;
    chosen.push({ day, key: result.found.entry.key, rows: result.found.entry.rows, commit: result.found.commit });
  }
  const highest = Math.max(...parsed.map((p) => p.commit), options.salvage?.commit ?? 0);
  const lastCommitted = options.salvage?.commit;
  if (lastCommitted !== undefined) {
    const uncommitted = chosen.filter((c) => c.commit > lastCommitted);
    if (uncommitted.length > 0) {
      warnings.push(
        `${uncommitted.length} day(s) taken from files newer than the last recorded commit ${lastCommitted} (an upsert that did not finish): ${uncommitted.map((c) => c.day).join(", ")}`,
      );
    }
  }
  const dataset = keys ? resolveDataset(keys, options.salvage, warnings, featureManifestKey(prefix)) : undefined;
  const commit = highest + 1;
  const at = options.now.toISOString();
  const rebuiltDays = chosen.map((c) => c.day).sort();
  const manifest: FeatureGroupManifest = {
    format: "energy-forecast/feature-group",
    formatVersion: 1,
    name: group.name,
    version: group.version,
    commit,
    updatedAt: at,
    rows: chosen.reduce((s, c) => s + c.rows, 0),
    partitions: Object.fromEntries(Object.entries(partitions).sort(([a], [b]) => (a < b ? -1 : 1))),
    ...(dataset ? { dataset } : {}),
    history: [
      ...(options.salvage?.history ?? []).filter((h) => h.commit < commit),
      { commit, at, runId: options.runId, added: 0, changed: 0, partitions: rebuiltDays, note: options.note },
    ].slice(-HISTORY_LIMIT),
  };
  return { manifest, chosen: chosen.sort((a, b) => (a.day < b.day ? -1 : 1)), unusable, foreign, warnings };
}

/**
 * The dataset of a rebuilt manifest: the damaged manifest's when its key columns match the files,
 * else DE35's for DE35's columns, else a dataset named after the damaged manifest (or
 * "unknown") whose unit is the damaged manifest's, or kWh with a warning.
 */
export function resolveDataset(keys: KeyColumn[], salvage: ManifestSalvage | undefined, warnings: string[], manifestKey: string): DatasetInfo {
  if (salvage?.dataset && describeKeyColumns(salvage.dataset.keys) === describeKeyColumns(keys)) return salvage.dataset;
  if (describeKeyColumns(keys) === describeKeyColumns(LEGACY_DE35_INFO.keys)) {
    return salvage?.unit ? { ...LEGACY_DE35_INFO, unit: salvage.unit } : LEGACY_DE35_INFO;
  }
  if (!salvage?.unit) {
    warnings.push(
      `the unit of the series is not recorded in the partition files and the old manifest did not say it: recorded as kWh; ` +
        `if that is wrong, set "dataset.unit" in ${manifestKey} (the next ingest refuses a different unit)`,
    );
  }
  return {
    name: salvage?.datasetName ?? "unknown",
    title: "rebuilt from its partition files by energy-forecast doctor --repair",
    keys,
    unit: salvage?.unit ?? "kWh",
  };
}
