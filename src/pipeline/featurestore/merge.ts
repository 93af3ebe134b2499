import * as aq from "arquero";
import type { ColumnTable } from "arquero";

/** Counts of an upsert, per key (area, consumer_type, datetime_utc). */
export interface MergeCounts {
  added: number;
  changed: number;
  unchanged: number;
}

/**
 * Upserts `incoming` into `existing` by the key (area, consumer_type, datetime_utc): the newer
 * value wins, one row per key. Returns the merged table sorted by (area, consumer_type,
 * datetime_utc) and what changed. If `incoming` repeats a key, its last row wins.
 * Pure over the canonical feature columns.
 */
export function mergeFeatureRows(existing: ColumnTable | undefined, incoming: ColumnTable): { table: ColumnTable; counts: MergeCounts } {
  const rows = new Map<string, [number, number, number, number | null]>();
  const counts: MergeCounts = { added: 0, changed: 0, unchanged: 0 };
  if (existing) addRows(existing, rows);
  const before = new Map(rows);
  const incomingKeys = new Set<string>();
  addRows(incoming, rows, incomingKeys);
  for (const key of incomingKeys) {
    const old = before.get(key);
    if (!old) counts.added++;
    else if (!Object.is(old[3], rows.get(key)![3])) counts.changed++;
    else counts.unchanged++;
  }
  const sorted = Array.from(rows.values()).sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const table = aq.table({
    datetime_utc: sorted.map((r) => r[2]),
    area: sorted.map((r) => r[0]),
    consumer_type: sorted.map((r) => r[1]),
    energy_consumption: sorted.map((r) => r[3]),
  }) as ColumnTable;
  return { table, counts };
}

function addRows(t: ColumnTable, into: Map<string, [number, number, number, number | null]>, keys?: Set<string>): void {
  const time = t.column("datetime_utc")!;
  const area = t.column("area")!;
  const consumer = t.column("consumer_type")!;
  const value = t.column("energy_consumption")!;
  for (let i = 0, n = t.numRows(); i < n; i++) {
    const a = area.at(i) as number;
    const c = consumer.at(i) as number;
    const ts = time.at(i) as number;
    const key = `${a}|${c}|${ts}`;
    into.set(key, [a, c, ts, (value.at(i) as number | null) ?? null]);
    keys?.add(key);
  }
}
