/**
 * Tables in the feature store's order, by series key ({@link compareKeys}), then hour, without a
 * row-by-row sort: rows of one series come in runs (a day part, a bucket), and sorting the runs
 * costs a comparison per run, where arquero's orderby compares rows with a JS comparator (most of
 * a 100k-series window's read).
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import { compareKeys, keyAt, keyNames, type KeyColumn } from "./key.js";
import { columnValues, take } from "../core/columns.js";

/** The first row of every run of consecutive rows with the same key values. */
export function seriesRuns(keyCols: ReadonlyArray<ArrayLike<unknown>>, n: number): Int32Array {
  const starts: number[] = [];
  const nk = keyCols.length;
  for (let i = 0; i < n; i++) {
    let same = i > 0;
    for (let k = 0; same && k < nk; k++) same = keyCols[k][i] === keyCols[k][i - 1];
    if (!same) starts.push(i);
  }
  return Int32Array.from(starts);
}

/** What {@link inKeyOrder} orders by within a series, and the columns it keeps. */
export interface KeyOrderOptions {
  /** The column that increases within a series: the hour (the default), or a forecast's step. */
  within?: string;
  /** The columns of the result, in order: the canonical columns by default. */
  columns?: readonly string[];
}

/**
 * A table whose rows of a series come in runs, each run in increasing `within` order (a window
 * read bucket by bucket, day parts joined, the forecasts of several shards), as one table in the
 * feature store's order: by series key ({@link compareKeys}), then `within` (the hour by default).
 * It sorts runs, not rows; rows not in order within a run are sorted whole (arquero's orderby).
 * By default it keeps the canonical columns (`datetime_utc`, the key columns, `energy_consumption`).
 */
export function inKeyOrder(table: ColumnTable, keyColumns: readonly KeyColumn[], options: KeyOrderOptions = {}): ColumnTable {
  const n = table.numRows();
  const within = options.within ?? TIME_COLUMN;
  const names = options.columns ?? [TIME_COLUMN, ...keyNames(keyColumns), VALUE_COLUMN];
  const columns = names.map((name) => columnValues(table, name));
  const keyCols = keyColumns.map((k) => columnValues(table, k.name));
  const time = columnValues(table, within);
  const runs = seriesRuns(keyCols, n);
  const keys = Array.from(runs, (i) => keyAt(keyCols, i));
  const order = Array.from(runs, (_, r) => r).sort((a, b) => compareKeys(keys[a], keys[b]) || Number(time[runs[a]]) - Number(time[runs[b]]));
  const rows = new Int32Array(n);
  let at = 0;
  let sorted = true;
  order.forEach((r, j) => {
    const end = r + 1 < runs.length ? runs[r + 1] : n;
    // A series split over two runs must continue after the value the run before it ended with.
    if (j > 0 && compareKeys(keys[order[j - 1]], keys[r]) === 0 && !(Number(time[runs[r]]) > Number(time[rows[at - 1]]))) sorted = false;
    for (let i = runs[r]; i < end; i++) {
      if (i > runs[r] && !(Number(time[i]) > Number(time[i - 1]))) sorted = false;
      rows[at++] = i;
    }
  });
  // Rows not sorted within a series (never as prepare and the shards write them): sort them all.
  if (!sorted) return table.orderby(...keyNames(keyColumns), within).select(...names);
  const cols: Record<string, ArrayLike<unknown>> = {};
  names.forEach((name, c) => (cols[name] = take(columns[c], rows)));
  return aq.table(cols) as ColumnTable;
}
