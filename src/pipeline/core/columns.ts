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
    const src = column as unknown as Float64Array;
    const rows = table.indices();
    const out = new (src.constructor as new (n: number) => Float64Array)(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]];
    return out;
  }
  return table.array(name) as ArrayLike<unknown>;
}
