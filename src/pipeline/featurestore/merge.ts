import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import { compareKeys, keyAt, type SeriesKey } from "../series/key.js";
import { columnValues } from "../core/columns.js";

/** Counts of an upsert, per (series, hour). */
export interface MergeCounts {
  added: number;
  changed: number;
  unchanged: number;
}

/**
 * Upserts `incoming` into `existing` by (series key, datetime_utc): the newer value wins, one row
 * per key. Returns the merged table sorted by key columns then time, and what changed. If
 * `incoming` repeats a key, its last row wins. Pure over the canonical feature columns.
 *
 * Column-wise: rows of both tables are numbered (existing first), each series gets a rank in key
 * order, and one sort of the row numbers by (rank, time, row number) puts every (series, hour)
 * group together with its existing rows before its incoming ones. No object per row is made, so
 * a first ingest of millions of rows stays within memory.
 */
export function mergeFeatureRows(
  existing: ColumnTable | undefined,
  incoming: ColumnTable,
  keys: readonly string[],
): { table: ColumnTable; counts: MergeCounts } {
  const parts = (existing ? [existing, incoming] : [incoming]).map((t) => ({
    n: t.numRows(),
    time: columnValues(t, TIME_COLUMN) as ArrayLike<number>,
    value: columnValues(t, VALUE_COLUMN) as ArrayLike<number | null | undefined>,
    keys: keys.map((k) => columnValues(t, k)),
  }));
  const nExisting = existing ? parts[0].n : 0;
  const total = parts.reduce((s, p) => s + p.n, 0);
  // Row r is row r of `existing`, or row r - nExisting of `incoming`.
  const partOf = (r: number) => (r < nExisting ? parts[0] : parts[parts.length - 1]);
  const rowOf = (r: number) => (r < nExisting ? r : r - nExisting);

  // Series numbers through one map level per key column: no id string per row.
  const seriesIndex = new Map<string, unknown>();
  const seriesKeys: SeriesKey[] = [];
  const series = new Int32Array(total);
  const time = new Float64Array(total);
  const last = keys.length - 1;
  let r = 0;
  for (const p of parts) {
    for (let i = 0; i < p.n; i++, r++) {
      let level = seriesIndex;
      for (let k = 0; k < last; k++) {
        const v = text(p.keys[k][i]);
        let next = level.get(v) as Map<string, unknown> | undefined;
        if (!next) level.set(v, (next = new Map()));
        level = next;
      }
      const v = text(p.keys[last][i]);
      let s = level.get(v) as number | undefined;
      if (s === undefined) {
        s = seriesKeys.length;
        level.set(v, s);
        seriesKeys.push(keyAt(p.keys, i));
      }
      series[r] = s;
      time[r] = p.time[i];
    }
  }
  const rank = new Int32Array(seriesKeys.length);
  seriesKeys
    .map((_, s) => s)
    .sort((a, b) => compareKeys(seriesKeys[a], seriesKeys[b]))
    .forEach((s, k) => (rank[s] = k));
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => rank[series[a]] - rank[series[b]] || time[a] - time[b] || a - b);

  const counts: MergeCounts = { added: 0, changed: 0, unchanged: 0 };
  const valueAt = (row: number) => partOf(row).value[rowOf(row)] ?? null;
  const winners: number[] = [];
  for (let g = 0; g < total;) {
    const s = series[order[g]];
    const t = time[order[g]];
    let e = g + 1;
    while (e < total && series[order[e]] === s && time[order[e]] === t) e++;
    // Within a group rows are in row-number order: the last one wins (incoming over existing,
    // the later of repeats); the last existing one is the value before this upsert.
    const winner = order[e - 1];
    if (winner >= nExisting) {
      let before = -1;
      for (let k = g; k < e && order[k] < nExisting; k++) before = order[k];
      if (before < 0) counts.added++;
      else if (Object.is(valueAt(before), valueAt(winner))) counts.unchanged++;
      else counts.changed++;
    }
    winners.push(winner);
    g = e;
  }
  const column = (get: (p: (typeof parts)[number], i: number) => unknown) => winners.map((w) => get(partOf(w), rowOf(w)));
  const table = aq.table({
    [TIME_COLUMN]: column((p, i) => p.time[i]),
    ...Object.fromEntries(keys.map((name, k) => [name, column((p, i) => p.keys[k][i])])),
    [VALUE_COLUMN]: column((p, i) => p.value[i] ?? null),
  }) as ColumnTable;
  return { table, counts };
}

/** A key value as series ids compare it (`seriesId` joins `String(value)`s). */
function text(v: unknown): string {
  return typeof v === "string" ? v : String(v);
}
