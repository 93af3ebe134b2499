import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { Logger } from "../core/effects.js";
import { DAY_MS } from "../time/index.js";
import type { TimeRange } from "../time/index.js";
import { featureSchema, LEGACY_DE35_INFO, TIME_COLUMN, VALUE_COLUMN, type DatasetInfo } from "../dataset/spec.js";
import type { TableSchema } from "../parquet/schema.js";
import { PipelineError } from "../core/errors.js";
import { keyNames } from "../series/key.js";
import { concatRows } from "../core/columns.js";
import { inKeyOrder } from "../series/order.js";
import { writeParquet } from "../parquet/write.js";
import { readIfExists, type Storage } from "../storage/storage.js";
import { setAside } from "../doctor/set-aside.js";
import { cleanupPartitions } from "./cleanup.js";
import { featureDataPrefix, featureGroupPrefix, featureManifestKey, featurePartKey } from "../storage/layout.js";
import { DEFAULT_CLEANUP_GRACE_MS, REPAIR_COMMAND, type FeatureGroupRef } from "./layout.js";
import { HISTORY_LIMIT, parseManifest, type CommitEntry, type FeatureGroupManifest } from "./manifest.js";
import { mergeFeatureRows, type MergeCounts } from "./merge.js";
import { DamagedPartError, readPart, type PartDamage } from "./parts.js";

export type { FeatureGroupRef } from "./layout.js";

/** A damaged partition file an upsert replaced. */
export interface DamagedPartReport {
  day: string;
  /** The file the manifest listed. */
  key: string;
  damage: PartDamage;
  /** Where the damaged file was moved (absent when it was missing). */
  setAside?: string;
  /** Rows the manifest listed for that day, now replaced by the batch's rows of that day. */
  rows: number;
}

/** What an upsert did. */
export interface UpsertReport extends MergeCounts {
  /** Commit number after the upsert (unchanged when nothing was added or changed). */
  commit: number;
  /** Partitions (days) rewritten. */
  partitions: string[];
  /** Rows in the feature group after the upsert. */
  totalRows: number;
  /** Damaged partition files (missing or corrupt) this upsert set aside and replaced; absent when none. */
  damaged?: DamagedPartReport[];
}

/**
 * A versioned feature group on a {@link Storage}, partitioned by UTC day so that a window read
 * touches only the days it needs:
 *
 *     features/<name>/v<version>/manifest.json
 *     features/<name>/v<version>/data/date=<yyyy-MM-dd>/part-<commit>.parquet
 *
 * Each upsert writes new partition files and then replaces the manifest in one atomic write, so
 * a crash leaves the previous version intact. Files no manifest references any more are deleted
 * only after a grace period (see cleanup.ts). A missing manifest beside partition files is an
 * error naming `energy-forecast doctor --repair`, never an empty group; a partition file that is
 * missing or corrupt is named in the error of every reader, and an upsert of rows of its day sets
 * it aside under `damaged/` and writes the new rows. One writer at a time; any number of readers.
 */
export class FeatureStore {
  readonly prefix: string;
  private readonly manifestKey: string;

  /**
   * `dataset` is the dataset a writer ingests (its series must match what the group holds);
   * readers leave it out and learn the series from the manifest.
   */
  constructor(
    private readonly storage: Storage,
    readonly group: FeatureGroupRef,
    private readonly logger?: Logger,
    private readonly dataset?: DatasetInfo,
  ) {
    this.prefix = featureGroupPrefix(group);
    this.manifestKey = featureManifestKey(this.prefix);
  }

  /**
   * The current manifest, or undefined when nothing was ever written. Throws when the manifest is
   * missing while partition files exist (deleted by hand, or a lost object): treating that as an
   * empty group would hide every stored row, and a writer would then delete them.
   */
  async manifest(): Promise<FeatureGroupManifest | undefined> {
    const bytes = await readIfExists(this.storage, this.manifestKey);
    if (bytes !== undefined) return parseManifest(new TextDecoder().decode(bytes), this.manifestKey);
    const parts = await this.storage.list(featureDataPrefix(this.prefix));
    if (parts.length > 0) {
      throw new PipelineError(
        "featurestore",
        `manifest ${this.manifestKey} is missing in ${this.storage.uri} but ${parts.length} partition file(s) exist under ${featureDataPrefix(this.prefix)}; ` +
          `the feature group is left as it is: run ${REPAIR_COMMAND} to rebuild the manifest from the partition files`,
      );
    }
    return undefined;
  }

  /**
   * The dataset the group holds: from its manifest, else (nothing written yet) the writer's, else
   * the legacy DE35 layout.
   */
  async info(manifest?: FeatureGroupManifest): Promise<DatasetInfo> {
    const m = manifest ?? (await this.manifest());
    return m?.dataset ?? (m ? LEGACY_DE35_INFO : (this.dataset ?? LEGACY_DE35_INFO));
  }

  /** The last stored hour (epoch ms) over every series, or undefined when the group is empty. */
  async latestHour(manifest?: FeatureGroupManifest): Promise<number | undefined> {
    const m = manifest ?? (await this.manifest());
    const parts = Object.values(m?.partitions ?? {});
    return parts.length === 0 ? undefined : Math.max(...parts.map((p) => p.maxTime));
  }

  private schemaOf(info: DatasetInfo): TableSchema {
    return featureSchema(info.keys);
  }

  /**
   * Rows with `start <= datetime_utc < end` (the whole group without a range), sorted by the
   * series key, then `datetime_utc`. Reads only the partitions that overlap the range. A missing
   * or corrupt partition file fails with a {@link DamagedPartError} naming it and the fix.
   */
  async read(range?: TimeRange): Promise<ColumnTable> {
    const manifest = await this.manifest();
    const info = await this.info(manifest);
    const schema = this.schemaOf(info);
    const days = Object.keys(manifest?.partitions ?? {})
      .sort()
      .filter((day) => !range || overlaps(day, range));
    const parts = await Promise.all(days.map((day) => readPart(this.storage, day, manifest!.partitions[day], schema)));
    const table =
      parts.length === 0
        ? emptyFeatureTable(info)
        : concatRows(
            parts,
            schema.map(([name]) => name),
            range && { column: TIME_COLUMN, start: range.start, end: range.end },
          );
    // Each day part holds its series' rows in key, then hour order: the runs are put in order, not the rows.
    return inKeyOrder(table, info.keys);
  }

  /**
   * Upserts rows keyed by (series key, datetime_utc): the newer value wins. Writes nothing
   * when nothing is added or changed, so re-ingesting the same window is a no-op. The rows must
   * be of the dataset this store was opened with, and the group must hold that dataset's series.
   *
   * A day whose partition file is missing or corrupt cannot be merged: its file is set aside under
   * `damaged/` (never deleted), the day is rewritten with this batch's rows of it, and the report's
   * `damaged` lists it, so re-ingesting a window repairs it instead of failing for ever.
   */
  async upsert(incoming: ColumnTable, runId: string, now: Date): Promise<UpsertReport> {
    const manifest = (await this.manifest()) ?? this.emptyManifest(now);
    const info = await this.info(manifest);
    if (this.dataset && manifest.commit > 0) checkSameSeries(info, this.dataset, this.prefix);
    const schema = this.schemaOf(this.dataset ?? info);
    const byDay = rowsByDay(incoming);
    const totals: MergeCounts = { added: 0, changed: 0, unchanged: 0 };
    const commit = manifest.commit + 1;
    // Each rewritten day is written as soon as it is merged (the manifest, written last, is the
    // commit), so a large batch never holds all its days' tables at once.
    const rewritten: Array<[string, FeatureGroupManifest["partitions"][string]]> = [];
    const damaged: DamagedPartReport[] = [];
    for (const [day, indices] of byDay) {
      const rows = pickRows(incoming, indices);
      const entry = manifest.partitions[day];
      let existing: ColumnTable | undefined;
      if (entry) {
        try {
          existing = await readPart(this.storage, day, entry, schema);
        } catch (error) {
          if (!(error instanceof DamagedPartError)) throw error;
          damaged.push({ day, key: entry.key, damage: error.damage, rows: entry.rows });
        }
      }
      const { table, counts } = mergeFeatureRows(existing, rows, keyNames(info.keys));
      totals.added += counts.added;
      totals.changed += counts.changed;
      totals.unchanged += counts.unchanged;
      if (counts.added + counts.changed > 0) {
        const key = featurePartKey(this.prefix, day, commit);
        await this.storage.write(key, writeParquet(table, schema), { contentType: "application/vnd.apache.parquet" });
        const times = table.column("datetime_utc")!;
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < table.numRows(); i++) {
          const t = times.at(i) as number;
          if (t < min) min = t;
          if (t > max) max = t;
        }
        rewritten.push([day, { key, rows: table.numRows(), minTime: min, maxTime: max }]);
      }
    }
    if (rewritten.length === 0) {
      return { ...totals, commit: manifest.commit, partitions: [], totalRows: manifest.rows };
    }
    const next: FeatureGroupManifest = {
      ...manifest,
      ...(this.dataset ? { dataset: this.dataset } : {}),
      partitions: { ...manifest.partitions },
      commit,
      updatedAt: now.toISOString(),
    };
    for (const [day, entry] of rewritten) next.partitions[day] = entry;
    // Set aside only now that the replacements are written: a crash before the commit leaves the
    // damaged file where the manifest says, to be set aside by the next attempt.
    for (const d of damaged) {
      const moved = await setAside(this.storage, d.key);
      if (moved !== undefined) d.setAside = moved;
      this.logger?.warn(
        `featurestore: partition ${d.key} (day ${d.day}) was ${d.damage === "missing" ? "missing" : "corrupt"}; replaced by this batch's rows of that day`,
        {
          setAside: d.setAside ?? "(nothing to keep)",
          listedRows: d.rows,
          rows: next.partitions[d.day].rows,
        },
      );
    }
    next.rows = Object.values(next.partitions).reduce((s, p) => s + p.rows, 0);
    const partitions = rewritten.map(([day]) => day);
    const setAsideKeys = damaged.flatMap((d) => (d.setAside ? [d.setAside] : []));
    const history: CommitEntry = {
      commit,
      at: now.toISOString(),
      runId,
      added: totals.added,
      changed: totals.changed,
      partitions,
      ...(setAsideKeys.length > 0 ? { setAside: setAsideKeys } : {}),
    };
    next.history = [...manifest.history, history].slice(-HISTORY_LIMIT);
    await this.storage.write(this.manifestKey, JSON.stringify(next, null, 1), { contentType: "application/json" });
    await cleanupPartitions(this.storage, this.prefix, manifest, next, now, this.group.cleanupGraceMs ?? DEFAULT_CLEANUP_GRACE_MS, this.logger);
    this.logger?.info("featurestore: committed", { group: `${this.group.name}/v${this.group.version}`, commit, added: totals.added, changed: totals.changed });
    return { ...totals, commit, partitions, totalRows: next.rows, ...(damaged.length > 0 ? { damaged } : {}) };
  }

  private emptyManifest(now: Date): FeatureGroupManifest {
    return {
      format: "energy-forecast/feature-group",
      formatVersion: 1,
      name: this.group.name,
      version: this.group.version,
      commit: 0,
      updatedAt: now.toISOString(),
      rows: 0,
      partitions: {},
      // The first upsert merges and writes by the writer's key columns, not the legacy layout.
      ...(this.dataset ? { dataset: this.dataset } : {}),
      history: [],
    };
  }
}

/** An empty table with the feature columns of a dataset. */
export function emptyFeatureTable(info: Pick<DatasetInfo, "keys">): ColumnTable {
  return aq.table({ [TIME_COLUMN]: [], ...Object.fromEntries(info.keys.map((k) => [k.name, []])), [VALUE_COLUMN]: [] }) as ColumnTable;
}

/** Refuses to mix two datasets' series in one feature group. */
function checkSameSeries(stored: DatasetInfo, incoming: DatasetInfo, prefix: string): void {
  const a = stored.keys.map((k) => `${k.name}:${k.type}`).join(",");
  const b = incoming.keys.map((k) => `${k.name}:${k.type}`).join(",");
  if (a !== b || stored.unit !== incoming.unit) {
    throw new PipelineError(
      "featurestore",
      `${prefix} holds dataset ${stored.name} (keys ${a}, unit ${stored.unit}); this run's dataset ${incoming.name} has keys ${b}, unit ${incoming.unit}; ` +
        `use another --store, or another FEATURE_GROUP_NAME / FEATURE_GROUP_VERSION for this dataset`,
    );
  }
}

function dayOf(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

function overlaps(day: string, range: TimeRange): boolean {
  const start = Date.parse(day + "T00:00:00Z");
  return start < range.end && start + DAY_MS > range.start;
}

/** The row numbers of each UTC day, in row order (a day's table is built when it is merged). */
function rowsByDay(table: ColumnTable): Map<string, number[]> {
  const times = table.column("datetime_utc")!;
  const byIndex = new Map<number, number[]>();
  for (let i = 0, n = table.numRows(); i < n; i++) {
    const d = Math.floor((times.at(i) as number) / DAY_MS);
    let list = byIndex.get(d);
    if (!list) byIndex.set(d, (list = []));
    list.push(i);
  }
  const out = new Map<string, number[]>();
  for (const [d, rows] of byIndex) out.set(dayOf(d * DAY_MS), rows);
  return out;
}

/** The given rows of a table, as a new table with the same columns. */
function pickRows(table: ColumnTable, rows: number[]): ColumnTable {
  return aq.table(Object.fromEntries(table.columnNames().map((c) => [c, rows.map((r) => table.column(c)!.at(r))]))) as ColumnTable;
}
