import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { Logger } from "../core/effects.js";
import { DAY_MS } from "../time/index.js";
import type { TimeRange } from "../time/index.js";
import { readParquet } from "../parquet/read.js";
import { featureSchema, LEGACY_DE35_INFO, TIME_COLUMN, VALUE_COLUMN, type DatasetInfo } from "../dataset/spec.js";
import type { TableSchema } from "../parquet/schema.js";
import { PipelineError } from "../core/errors.js";
import { keyNames } from "../series/key.js";
import { writeParquet } from "../parquet/write.js";
import { readIfExists, type Storage } from "../storage/storage.js";
import { HISTORY_LIMIT, parseManifest, type CommitEntry, type FeatureGroupManifest } from "./manifest.js";
import { mergeFeatureRows, type MergeCounts } from "./merge.js";

/** A feature group and version, e.g. `energy_consumption` v1. */
export interface FeatureGroupRef {
  name: string;
  version: number;
}

/** What an upsert did. */
export interface UpsertReport extends MergeCounts {
  /** Commit number after the upsert (unchanged when nothing was added or changed). */
  commit: number;
  /** Partitions (days) rewritten. */
  partitions: string[];
  /** Rows in the feature group after the upsert. */
  totalRows: number;
}

/**
 * A versioned feature group on a {@link Storage}, partitioned by UTC day so that a window read
 * touches only the days it needs:
 *
 *     features/<name>/v<version>/manifest.json
 *     features/<name>/v<version>/data/date=<yyyy-MM-dd>/part-<commit>.parquet
 *
 * Each upsert writes new partition files and then replaces the manifest in one atomic write, so
 * a crash leaves the previous version intact. Files superseded two commits ago are deleted.
 * One writer at a time (the scheduled job holds a lock); any number of readers.
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
    this.prefix = `features/${group.name}/v${group.version}/`;
    this.manifestKey = `${this.prefix}manifest.json`;
  }

  /** The current manifest, or undefined when nothing was ever written. */
  async manifest(): Promise<FeatureGroupManifest | undefined> {
    const bytes = await readIfExists(this.storage, this.manifestKey);
    return bytes === undefined ? undefined : parseManifest(new TextDecoder().decode(bytes), this.manifestKey);
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
   * series key, then `datetime_utc`. Reads only the partitions that overlap the range.
   */
  async read(range?: TimeRange): Promise<ColumnTable> {
    const manifest = await this.manifest();
    const info = await this.info(manifest);
    const schema = this.schemaOf(info);
    const days = Object.keys(manifest?.partitions ?? {})
      .sort()
      .filter((day) => !range || overlaps(day, range));
    const parts = await Promise.all(
      days.map(async (day) => {
        const entry = manifest!.partitions[day];
        return readParquet(await this.storage.read(entry.key), schema, entry.key);
      }),
    );
    let table = parts.length === 0 ? emptyFeatureTable(info) : parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1));
    if (range) {
      table = table.params({ s: range.start, e: range.end }).filter("(d, $) => d.datetime_utc >= $.s && d.datetime_utc < $.e");
    }
    return table.orderby(...keyNames(info.keys), TIME_COLUMN);
  }

  /**
   * Upserts rows keyed by (series key, datetime_utc): the newer value wins. Writes nothing
   * when nothing is added or changed, so re-ingesting the same window is a no-op. The rows must
   * be of the dataset this store was opened with, and the group must hold that dataset's series.
   */
  async upsert(incoming: ColumnTable, runId: string, now: Date): Promise<UpsertReport> {
    const manifest = (await this.manifest()) ?? this.emptyManifest(now);
    const info = await this.info(manifest);
    if (this.dataset && manifest.commit > 0) checkSameSeries(info, this.dataset, this.prefix);
    const schema = this.schemaOf(this.dataset ?? info);
    const byDay = splitByDay(incoming);
    const totals: MergeCounts = { added: 0, changed: 0, unchanged: 0 };
    const rewritten: Array<[string, ColumnTable]> = [];
    for (const [day, rows] of byDay) {
      const entry = manifest.partitions[day];
      const existing = entry ? readParquet(await this.storage.read(entry.key), schema, entry.key) : undefined;
      const { table, counts } = mergeFeatureRows(existing, rows, keyNames(info.keys));
      totals.added += counts.added;
      totals.changed += counts.changed;
      totals.unchanged += counts.unchanged;
      if (counts.added + counts.changed > 0) rewritten.push([day, table]);
    }
    if (rewritten.length === 0) {
      return { ...totals, commit: manifest.commit, partitions: [], totalRows: manifest.rows };
    }
    const commit = manifest.commit + 1;
    const next: FeatureGroupManifest = {
      ...manifest,
      ...(this.dataset ? { dataset: this.dataset } : {}),
      partitions: { ...manifest.partitions },
      commit,
      updatedAt: now.toISOString(),
    };
    for (const [day, table] of rewritten) {
      const key = `${this.prefix}data/date=${day}/part-${String(commit).padStart(6, "0")}.parquet`;
      await this.storage.write(key, writeParquet(table, schema), { contentType: "application/vnd.apache.parquet" });
      const times = table.column("datetime_utc")!;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < table.numRows(); i++) {
        const t = times.at(i) as number;
        if (t < min) min = t;
        if (t > max) max = t;
      }
      next.partitions[day] = { key, rows: table.numRows(), minTime: min, maxTime: max };
    }
    next.rows = Object.values(next.partitions).reduce((s, p) => s + p.rows, 0);
    const partitions = rewritten.map(([day]) => day);
    const history: CommitEntry = { commit, at: now.toISOString(), runId, added: totals.added, changed: totals.changed, partitions };
    next.history = [...manifest.history, history].slice(-HISTORY_LIMIT);
    await this.storage.write(this.manifestKey, JSON.stringify(next, null, 1), { contentType: "application/json" });
    await this.collectGarbage(manifest, next);
    this.logger?.info("featurestore: committed", { group: `${this.group.name}/v${this.group.version}`, commit, added: totals.added, changed: totals.changed });
    return { ...totals, commit, partitions, totalRows: next.rows };
  }

  /**
   * Deletes partition files referenced by neither the new nor the previous manifest: a reader that
   * loaded the previous manifest just before the commit can still read its files.
   */
  private async collectGarbage(previous: FeatureGroupManifest, current: FeatureGroupManifest): Promise<void> {
    const keep = new Set([...Object.values(previous.partitions), ...Object.values(current.partitions)].map((p) => p.key));
    for (const key of await this.storage.list(`${this.prefix}data/`)) {
      if (!keep.has(key)) await this.storage.delete(key);
    }
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

function splitByDay(table: ColumnTable): Map<string, ColumnTable> {
  const times = table.column("datetime_utc")!;
  const indices = new Map<string, number[]>();
  for (let i = 0, n = table.numRows(); i < n; i++) {
    const day = dayOf(times.at(i) as number);
    let list = indices.get(day);
    if (!list) indices.set(day, (list = []));
    list.push(i);
  }
  const out = new Map<string, ColumnTable>();
  for (const [day, rows] of indices) {
    out.set(day, aq.table(Object.fromEntries(table.columnNames().map((c) => [c, rows.map((r) => table.column(c)!.at(r))]))) as ColumnTable);
  }
  return out;
}
