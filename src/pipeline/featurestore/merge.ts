import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import { compareKeys, keyAt, rowSeriesIds, type SeriesKey } from "../series/key.js";

/** Counts of an upsert, per (series, hour). */
export interface MergeCounts {
  added: number;
  changed: number;
  unchanged: number;
}

type Row = { key: SeriesKey; time: number; value: number | null };

/**
 * Upserts `incoming` into `existing` by (series key, datetime_utc): the newer value wins, one row
 * per key. Returns the merged table sorted by key columns then time, and what changed. If
 * `incoming` repeats a key, its last row wins. Pure over the canonical feature columns.
 */
export function mergeFeatureRows(existing: ColumnTable | undefined, incoming: ColumnTable, keys: readonly string[]): { table: ColumnTable; counts: MergeCounts } {
  const rows = new Map<string, Row>();
  const counts: MergeCounts = { added: 0, changed: 0, unchanged: 0 };
  if (existing) addRows(existing, keys, rows);
  const before = new Map(rows);
  const incomingKeys = new Set<string>();
  addRows(incoming, keys, rows, incomingKeys);
  for (const key of incomingKeys) {
    const old = before.get(key);
    if (!old) counts.added++;
    else if (!Object.is(old.value, rows.get(key)!.value)) counts.changed++;
    else counts.unchanged++;
  }
  const sorted = Array.from(rows.values()).sort((a, b) => compareKeys(a.key, b.key) || a.time - b.time);
  const table = aq.table({
    [TIME_COLUMN]: sorted.map((r) => r.time),
    ...Object.fromEntries(keys.map((name, k) => [name, sorted.map((r) => r.key[k])])),
    [VALUE_COLUMN]: sorted.map((r) => r.value),
  }) as ColumnTable;
  return { table, counts };
}

function addRows(t: ColumnTable, keys: readonly string[], into: Map<string, Row>, seen?: Set<string>): void {
  const n = t.numRows();
  const time = t.array(TIME_COLUMN) as ArrayLike<number>;
  const value = t.array(VALUE_COLUMN) as ArrayLike<number | null>;
  const keyCols = keys.map((k) => t.array(k) as ArrayLike<unknown>);
  const ids = rowSeriesIds(keyCols, n);
  for (let i = 0; i < n; i++) {
    const id = `${ids[i]}\u0000${time[i]}`;
    into.set(id, { key: keyAt(keyCols, i), time: time[i], value: value[i] ?? null });
    seen?.add(id);
  }
}
