import * as aq from "arquero";
import type { ColumnTable } from "arquero";

/**
 * The values of column `name` of `table` as an indexable array, without a copy when the table is
 * neither filtered nor ordered and the column is an array already (plain or typed): arquero's
 * `table.array(name)` copies every value into a new plain array on each call, which at a window
 * of millions of rows is both the time and the garbage of a step. The result is shared with the
 * table: read it, never write it.
 */
export function columnValues(table: ColumnTable, name: string): ArrayLike<unknown> {
  const column = table.column(name) as unknown;
  const whole = !table.isFiltered() && !table.isOrdered();
  if (column !== undefined && whole && (Array.isArray(column) || ArrayBuffer.isView(column))) return column as ArrayLike<unknown>;
  // A typed column of a filtered or ordered table: its rows gathered into the same typed kind.
  if (column !== undefined && !whole && ArrayBuffer.isView(column) && !(column instanceof DataView)) {
    return take(column as unknown as ArrayLike<unknown>, table.indices());
  }
  return table.array(name) as ArrayLike<unknown>;
}

/** `values` at `rows`, as the same kind of array (typed arrays stay typed). */
export function take(values: ArrayLike<unknown>, rows: ArrayLike<number>): ArrayLike<unknown> {
  if (ArrayBuffer.isView(values)) {
    const Typed = values.constructor as new (n: number) => Float64Array;
    const out = new Typed(rows.length);
    const src = values as unknown as Float64Array;
    for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]];
    return out;
  }
  const out = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

/**
 * The rows of `tables` one after another as one table of columns `names`, typed arrays staying
 * typed (a column is a plain array when its parts are not all of one typed kind). With `within`,
 * only the rows whose `within.column` lies in `[start, end)`. arquero's concat and filter copy
 * every column into plain arrays, value by value.
 */
export function concatRows(tables: readonly ColumnTable[], names: readonly string[], within?: { column: string; start: number; end: number }): ColumnTable {
  if (tables.length === 1 && within === undefined) return tables[0].select(...names);
  // The rows kept, per table (all of them without `within`).
  const kept = tables.map((t) => {
    const n = t.numRows();
    if (within === undefined) return undefined;
    const at = columnValues(t, within.column);
    const rows: number[] = [];
    let all = true;
    for (let i = 0; i < n; i++) {
      const v = Number(at[i]);
      if (v >= within.start && v < within.end) rows.push(i);
      else all = false;
    }
    return all ? undefined : Int32Array.from(rows);
  });
  const total = tables.reduce((a, t, i) => a + (kept[i]?.length ?? t.numRows()), 0);
  const cols: Record<string, ArrayLike<unknown>> = {};
  for (const name of names) {
    const parts = tables.map((t, i) => {
      const values = columnValues(t, name);
      const rows = kept[i];
      return rows === undefined ? values : take(values, rows);
    });
    const first = parts[0];
    if (first !== undefined && ArrayBuffer.isView(first) && parts.every((p) => p.constructor === first.constructor)) {
      const Typed = first.constructor as new (n: number) => Float64Array;
      const out = new Typed(total);
      let at = 0;
      for (const p of parts) {
        out.set(p as Float64Array, at);
        at += p.length;
      }
      cols[name] = out;
    } else {
      const out = new Array<unknown>(total);
      let at = 0;
      for (const p of parts) for (let i = 0; i < p.length; i++) out[at++] = p[i];
      cols[name] = out;
    }
  }
  return aq.table(cols) as ColumnTable;
}
