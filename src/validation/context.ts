import type { ColumnTable } from "arquero";
import { PipelineError } from "../pipeline/core/errors.js";
import { rowSeriesId } from "../pipeline/series/key.js";
import type { SeriesReference } from "./reference.js";

/** Null, undefined and NaN are "missing", as pandas' `isnull` (and so GE) counts them. */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/** Order-preserving integer codes of a column's values (see {@link ValidationContext.ranks}). */
export interface ColumnRanks {
  /** Rank of each row's value; missing values get `distinct.length`. */
  codes: Uint32Array;
  /** Distinct non-missing values in ascending order. */
  distinct: unknown[];
}

/** Rows sorted by several columns, as one rank array per column (position p = p-th row in order). */
export interface SortedRanks {
  columns: string[];
  ranks: ColumnRanks[];
  /** `sorted[j][p]` is the rank in column j of the p-th row in sort order. */
  sorted: Uint32Array[];
}

/**
 * The series of every row (see {@link ValidationContext.series}): rows are in the same series
 * exactly when `rowSeriesIds` (src/pipeline/series/key.ts) gives them the same id.
 */
export interface RowSeries {
  /** Series index of each row, in order of first appearance. */
  index: Uint32Array;
  /** The id (`rowSeriesIds`) of each series. */
  ids: string[];
  /** The first row of each series. */
  firstRow: Uint32Array;
}

/** Ascending order over mixed values: numbers, then strings, then anything else by type name. */
export function compareValues(a: unknown, b: unknown): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === "number" || ta === "bigint") return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  const sa = a instanceof Date ? a.getTime() : String(a);
  const sb = b instanceof Date ? b.getTime() : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * What expectations read from the table under test. Column arrays, ranks and sorted orders are
 * computed once per validation and shared: the uniqueness and continuity checks of the feature
 * suite sort by the same three columns, and several expectations read the same column.
 */
export class ValidationContext {
  readonly table: ColumnTable;
  readonly columnTypes: Readonly<Record<string, string>>;
  /** What the store already holds per series, when the caller checks a batch against it. */
  readonly reference: SeriesReference | undefined;
  private readonly arrays = new Map<string, ArrayLike<unknown>>();
  private readonly rankCache = new Map<string, ColumnRanks>();
  private readonly sortCache = new Map<string, SortedRanks>();
  private readonly seriesCache = new Map<string, RowSeries>();

  constructor(table: ColumnTable, columnTypes: Readonly<Record<string, string>> = {}, reference?: SeriesReference) {
    this.table = table;
    this.columnTypes = columnTypes;
    this.reference = reference;
  }

  /** Rows in the table (after any filter). */
  get rowCount(): number {
    return this.table.numRows();
  }

  /** Column names in table order. */
  get columnNames(): string[] {
    return this.table.columnNames();
  }

  /** The declared type of a column, if the caller gave one. */
  declaredType(name: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.columnTypes, name) ? this.columnTypes[name] : undefined;
  }

  /**
   * The array a column is stored in (a typed array for Arrow-backed or typed columns), for type
   * inference only: it may be unfiltered.
   */
  storage(name: string): unknown {
    this.requireColumn(name);
    const col = this.table.column(name)!;
    if (Array.isArray(col) || ArrayBuffer.isView(col)) return col;
    if (!this.table.isFiltered() && !this.table.isOrdered()) return this.values(name);
    return typeof col.toArray === "function" ? col.toArray() : col;
  }

  /**
   * A column's values as an indexable array, without copying when the table is neither filtered
   * nor ordered and the column is already an array (the common case).
   */
  values(name: string): ArrayLike<unknown> {
    let arr = this.arrays.get(name);
    if (arr) return arr;
    this.requireColumn(name);
    const col = this.table.column(name)!;
    if (this.table.isFiltered() || this.table.isOrdered()) arr = this.table.array(name) as ArrayLike<unknown>;
    else if (Array.isArray(col) || ArrayBuffer.isView(col)) arr = col as unknown as ArrayLike<unknown>;
    else if (typeof col.toArray === "function") arr = col.toArray() as unknown as ArrayLike<unknown>;
    else arr = this.table.array(name) as ArrayLike<unknown>;
    this.arrays.set(name, arr);
    return arr;
  }

  /** Throws a clear error for a column the table does not have. */
  requireColumn(name: string): void {
    if (this.table.column(name) === undefined) {
      throw new PipelineError("validate", `column "${name}" not found; the table has columns ${this.columnNames.join(", ")}`);
    }
  }

  /** Order-preserving integer codes of a column: one Map lookup per row, no per-row allocation. */
  ranks(name: string): ColumnRanks {
    const cached = this.rankCache.get(name);
    if (cached) return cached;
    const values = this.values(name);
    const n = values.length;
    const firstSeen = new Map<unknown, number>();
    const seenValues: unknown[] = [];
    const provisional = new Uint32Array(n);
    const MISSING = 0xffffffff;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (isMissing(v)) {
        provisional[i] = MISSING;
        continue;
      }
      const key = v instanceof Date ? v.getTime() : v;
      let id = firstSeen.get(key);
      if (id === undefined) {
        id = seenValues.length;
        firstSeen.set(key, id);
        seenValues.push(key);
      }
      provisional[i] = id;
    }
    const order = seenValues.map((_, i) => i).sort((a, b) => compareValues(seenValues[a], seenValues[b]));
    const rankOf = new Uint32Array(seenValues.length);
    order.forEach((id, rank) => (rankOf[id] = rank));
    const distinct = order.map((id) => seenValues[id]);
    const codes = provisional;
    for (let i = 0; i < n; i++) codes[i] = codes[i] === MISSING ? distinct.length : rankOf[codes[i]];
    const result = { codes, distinct };
    this.rankCache.set(name, result);
    return result;
  }

  /**
   * Rows sorted lexicographically by `columns` (missing values last in each column). When the
   * product of the columns' cardinalities fits in 2^53, each row becomes one float key and a
   * native numeric sort does the work; otherwise row indices are sorted with a comparator.
   */
  sortedRanks(columns: string[]): SortedRanks {
    const cacheKey = JSON.stringify(columns);
    const cached = this.sortCache.get(cacheKey);
    if (cached) return cached;
    const ranks = columns.map((c) => this.ranks(c));
    const radix = ranks.map((r) => r.distinct.length + 1);
    const n = this.rowCount;
    const k = columns.length;
    const sorted = columns.map(() => new Uint32Array(n));
    const product = radix.reduce((a, b) => a * b, 1);
    if (product <= Number.MAX_SAFE_INTEGER) {
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let key = 0;
        for (let j = 0; j < k; j++) key = key * radix[j] + ranks[j].codes[i];
        keys[i] = key;
      }
      keys.sort();
      for (let p = 0; p < n; p++) {
        let key = keys[p];
        for (let j = k - 1; j >= 0; j--) {
          const r = key % radix[j];
          sorted[j][p] = r;
          key = (key - r) / radix[j];
        }
      }
    } else {
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => {
        for (let j = 0; j < k; j++) {
          const d = ranks[j].codes[a] - ranks[j].codes[b];
          if (d !== 0) return d;
        }
        return a - b;
      });
      for (let p = 0; p < n; p++) for (let j = 0; j < k; j++) sorted[j][p] = ranks[j].codes[order[p]];
    }
    const result = { columns, ranks, sorted };
    this.sortCache.set(cacheKey, result);
    return result;
  }

  /**
   * The series of each row for the group columns `columns`, as integer indices computed once per
   * validation and shared by the expectations that group by series, instead of one id string
   * per row. Series are told apart exactly as by their `rowSeriesIds` ids.
   */
  series(columns: string[]): RowSeries {
    const cacheKey = JSON.stringify(columns);
    const cached = this.seriesCache.get(cacheKey);
    if (cached) return cached;
    const arrays = columns.map((c) => this.values(c));
    const n = this.rowCount;
    const index = new Uint32Array(n);
    // Group by each column's text in turn (one Map lookup per row and column, no per-row string):
    // the group of a row is its group over the previous columns combined with this column's text.
    let groups = 1;
    for (const values of arrays) {
      const textCode = new Map<string, number>();
      const valueCode = new Map<unknown, number>();
      const dateCode = new Map<number, number>();
      const texts: string[] = [];
      const codeOf = (v: unknown): number => {
        let code = v instanceof Date ? dateCode.get(v.getTime()) : valueCode.get(v);
        if (code !== undefined) return code;
        const text = String(v);
        code = textCode.get(text);
        if (code === undefined) {
          code = texts.length;
          textCode.set(text, code);
          texts.push(text);
        }
        if (v instanceof Date) dateCode.set(v.getTime(), code);
        else valueCode.set(v, code);
        return code;
      };
      const combined = new Map<number, number>();
      let next = 0;
      // Codes of this column are found lazily, so the radix is only known afterwards: first pass
      // stores the codes, second pass combines them with the previous groups.
      const codes = new Uint32Array(n);
      for (let i = 0; i < n; i++) codes[i] = codeOf(values[i]);
      const radix = texts.length;
      for (let i = 0; i < n; i++) {
        const key = index[i] * radix + codes[i];
        let g = combined.get(key);
        if (g === undefined) {
          g = next++;
          combined.set(key, g);
        }
        index[i] = g;
      }
      groups = next;
    }
    if (arrays.length === 0) groups = n > 0 ? 1 : 0;
    // The id of each group, from its first row, as rowSeriesIds builds it.
    const groupFirst = new Uint32Array(groups);
    const seen = new Uint8Array(groups);
    for (let i = 0; i < n; i++) {
      const g = index[i];
      if (seen[g] === 0) {
        seen[g] = 1;
        groupFirst[g] = i;
      }
    }
    const groupIds = Array.from(groupFirst, (row) => rowSeriesId(arrays, row));
    // Distinct groups can share an id (a key value holding the separator); merge them as ids do.
    const idIndex = new Map<string, number>();
    const ids: string[] = [];
    const first: number[] = [];
    const remap = new Uint32Array(groups);
    const order = Array.from(groupFirst.keys()).sort((a, b) => groupFirst[a] - groupFirst[b]);
    for (const g of order) {
      const id = groupIds[g];
      let s = idIndex.get(id);
      if (s === undefined) {
        s = ids.length;
        idIndex.set(id, s);
        ids.push(id);
        first.push(groupFirst[g]);
      }
      remap[g] = s;
    }
    for (let i = 0; i < n; i++) index[i] = remap[index[i]];
    const result = { index, ids, firstRow: Uint32Array.from(first) };
    this.seriesCache.set(cacheKey, result);
    return result;
  }
}
