/**
 * Reading the pages' Arrow IPC files (written by the `*.arrow.ts` loaders, reports/data/lib/arrow.ts)
 * into plain rows. apache-arrow comes from node_modules, bundled by Framework: Framework 1.13's own
 * `FileAttachment(...).arrow()` imports `npm:apache-arrow`, which its build fetches from the npm CDN,
 * and the report builds offline. Float32 numbers are read back as the values the loader meant
 * (./float32.ts); fixed-size lists become arrays; dictionary texts become strings.
 */
import { Type, tableFromIPC, type Table, type Vector } from "apache-arrow";
import { fromFloat32 } from "./float32.js";

/** A row of an Arrow table as the pages use it. */
export type Row = Record<string, unknown>;

/**
 * The Arrow table of a file's bytes. Pages call it as `readArrow(FileAttachment("data/x.arrow").arrayBuffer())`:
 * Framework guesses the method of a bare `FileAttachment("x.arrow")` from its extension and would
 * then add its CDN import of apache-arrow; a method right on the call keeps it out.
 */
export async function readArrow(bytes: ArrayBuffer | Promise<ArrayBuffer>): Promise<Table> {
  return tableFromIPC(new Uint8Array(await bytes));
}

/** Plain values of a column: numbers (float32 read back exactly), strings, arrays for lists, null for missing. */
export function values(column: Vector): unknown[] {
  const type = column.type;
  if (type.typeId === Type.FixedSizeList) {
    const child = type.children[0].type;
    const float32 = child.typeId === Type.Float && child.precision === 1;
    return Array.from(column, (list: Vector | null) =>
      list === null ? null : Array.from(list, (v: number | null) => (v === null ? null : float32 ? fromFloat32(v) : v)),
    );
  }
  const float32 = type.typeId === Type.Float && type.precision === 1;
  return Array.from(column, (v: unknown) => (v === null ? null : float32 ? fromFloat32(v as number) : typeof v === "bigint" ? Number(v) : v));
}

/** Every column of a table as plain values, by name. */
export function columns(table: Table): Record<string, unknown[]> {
  return Object.fromEntries(table.schema.fields.map((f) => [f.name, values(table.getChild(f.name)!)]));
}

/** The rows of a table as plain objects (see {@link values}). */
export function rows(table: Table): Row[] {
  const cols = columns(table);
  const names = Object.keys(cols);
  return Array.from({ length: table.numRows }, (_, i) => Object.fromEntries(names.map((n) => [n, cols[n][i]])));
}
