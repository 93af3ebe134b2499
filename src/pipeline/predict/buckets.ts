/**
 * The feature window of a staged run, bucketed by series hash, so a predict shard reads and
 * decodes only the rows of its own series instead of the whole window.
 *
 * A series is in bucket `fnv1a32(seriesId(key)) mod B` (the hash of series/shard.ts), and in shard
 * `K` of `N` when the same hash mod `N` is `K`. With `g = gcd(B, N)`, both hash mod `g` agree, so
 * shard K/N needs exactly the buckets `b` with `b mod g = K mod g`: when N divides B, those hold its
 * series and no other; otherwise it reads 1/g of the window and skips the other series' rows when
 * it builds its panel. B is chosen from {@link INPUT_BUCKET_COUNTS}, numbers with many divisors
 * (240 divides by 1-6, 8, 10, 12, 15, 16, 20, 24, 30, 40, 48, 60, 80, 120, 240), so the usual
 * shard counts read only their own rows.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import { keyAt, keyNames, rowSeriesId, type KeyColumn } from "../series/key.js";
import { columnValues, concatRows, take } from "../core/columns.js";
import { seriesRuns } from "../series/order.js";
import { seriesHash, type ShardSpec } from "../series/shard.js";

/** The bucket counts prepare chooses from, largest first. */
export const INPUT_BUCKET_COUNTS: readonly number[] = [240, 120, 24, 8, 1];

/** The fewest series per bucket (on average) prepare accepts before choosing fewer buckets. */
export const MIN_SERIES_PER_BUCKET = 8;

/** How many buckets a window of `series` series is written in: the largest count with at least {@link MIN_SERIES_PER_BUCKET} series per bucket. */
export function inputBucketCount(series: number): number {
  return INPUT_BUCKET_COUNTS.find((b) => series >= b * MIN_SERIES_PER_BUCKET) ?? 1;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The buckets (of `count`) that hold the series of `shard`, in increasing order. */
export function bucketsOfShard(shard: ShardSpec, count: number): number[] {
  const g = gcd(count, shard.count);
  const r = shard.index % g;
  const out: number[] = [];
  for (let b = r; b < count; b += g) out.push(b);
  return out;
}

/**
 * The rows of `table` split into `count` buckets by series hash: the non-empty buckets in
 * increasing order, each with its rows in the table's order (so a window sorted by series, then
 * hour stays so within each bucket). Each bucket's table is built when it is asked for, so a
 * caller that writes and drops them holds one at a time.
 */
export function* splitByBucket(table: ColumnTable, keyColumns: readonly KeyColumn[], count: number): Generator<{ bucket: number; table: ColumnTable }> {
  const n = table.numRows();
  const names = [TIME_COLUMN, ...keyNames(keyColumns), VALUE_COLUMN];
  const columns = names.map((name) => columnValues(table, name));
  const keyCols = columns.slice(1, 1 + keyColumns.length);
  const runs = seriesRuns(keyCols, n);
  const runBucket = new Int32Array(runs.length);
  const bucketOf = new Map<string, number>();
  const sizes = new Int32Array(count);
  for (let r = 0; r < runs.length; r++) {
    const i = runs[r];
    const id = rowSeriesId(keyCols, i);
    let b = bucketOf.get(id);
    if (b === undefined) {
      b = seriesHash(keyAt(keyCols, i)) % count;
      bucketOf.set(id, b);
    }
    runBucket[r] = b;
    sizes[b] += (r + 1 < runs.length ? runs[r + 1] : n) - i;
  }
  // Row indices grouped by bucket (each bucket's rows in table order).
  const offsets = new Int32Array(count + 1);
  for (let b = 0; b < count; b++) offsets[b + 1] = offsets[b] + sizes[b];
  const next = offsets.slice(0, count);
  const rows = new Int32Array(n);
  for (let r = 0; r < runs.length; r++) {
    const end = r + 1 < runs.length ? runs[r + 1] : n;
    let at = next[runBucket[r]];
    for (let i = runs[r]; i < end; i++) rows[at++] = i;
    next[runBucket[r]] = at;
  }
  for (let b = 0; b < count; b++) {
    if (sizes[b] === 0) continue;
    const picked = rows.subarray(offsets[b], offsets[b + 1]);
    const cols: Record<string, ArrayLike<unknown>> = {};
    names.forEach((name, c) => (cols[name] = take(columns[c], picked)));
    yield { bucket: b, table: aq.table(cols) as ColumnTable };
  }
}

/** The tables of one window's buckets as one table (columns of the first; an empty table of `names` when there is none). */
export function concatBuckets(tables: readonly ColumnTable[], keyColumns: readonly KeyColumn[]): ColumnTable {
  return concatRows(tables, [TIME_COLUMN, ...keyNames(keyColumns), VALUE_COLUMN]);
}
