import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { batchType, Column, tableFromColumns, tableToIPC, utf8 } from "@uwdata/flechette";
import { pw } from "./wasm.js";
import { PipelineError } from "../core/errors.js";
import { arrowType, type TableSchema } from "./schema.js";
import { columnValues } from "../core/columns.js";

/**
 * Encodes an arquero table as a ZSTD-compressed parquet file with an explicit schema.
 * Columns are written in schema order; a missing column, or a value that does not fit its
 * declared type, is an error naming the column (never a silent cast).
 */
export function writeParquet(table: ColumnTable, schema: TableSchema): Uint8Array {
  const names = table.columnNames();
  const missing = schema.filter(([name]) => !names.includes(name)).map(([name]) => name);
  if (missing.length > 0) {
    throw new PipelineError(
      "parquet",
      `cannot write: table lacks column(s) ${missing.join(", ")}; expected ${schema.map(([n]) => n).join(", ")}, found ${names.join(", ")}`,
    );
  }
  // Typed arrays become Arrow columns as they are; other columns go through arquero's builder.
  const values = schema.map(([name, type]) => (type === "utf8" ? undefined : columnValues(table, name)));
  const direct = schema.map(([name, type], i) => (type === "utf8" ? utf8Column(table, name) : typedColumn(values[i]!, name, type)));
  const others = schema.filter(([, type], i) => type !== "utf8" && direct[i] === undefined);
  schema.forEach(([name, type], i) => {
    if (type !== "utf8" && direct[i] === undefined) checkColumn(values[i]!, name, type);
  });
  const types = Object.fromEntries(others.map(([name, type]) => [name, arrowType(type)]));
  const arrow = others.length > 0 ? aq.toArrow(table, { columns: others.map(([name]) => name), types }) : undefined;
  const columns = schema.map(([name], i): [string, Column<unknown>] => [name, direct[i] ?? arrow!.getChild(name)]);
  const arrowTable = pw.Table.fromIPCStream(tableToIPC(tableFromColumns(columns), { format: "stream" })!);
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build();
  // writeParquet consumes both the table and the properties (their wasm memory is freed).
  return pw.writeParquet(arrowTable, props);
}

/**
 * A utf8 Arrow column of `name`, each distinct string encoded once: arquero's path encodes every
 * value, and a text key repeated over every hour of a wide window made that most of a run's
 * output cost.
 */
function utf8Column(table: ColumnTable, name: string): Column<string> {
  const n = table.numRows();
  const column = table.column(name)!; // indexed by the data's row, as scan() visits them
  const encoder = new TextEncoder();
  const cache = new Map<string, Uint8Array>();
  const parts = new Array<Uint8Array | undefined>(n);
  const offsets = new Int32Array(n + 1);
  const validity = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  let total = 0;
  let i = 0;
  table.scan((row?: number) => {
    const v = column.at(row!) as string | null | undefined;
    if (v === null || v === undefined) nulls++;
    else if (typeof v !== "string") cannotWrite(name, "utf8", i, v, "a string");
    else {
      let bytes = cache.get(v);
      if (bytes === undefined) cache.set(v, (bytes = encoder.encode(v)));
      parts[i] = bytes;
      total += bytes.length;
      validity[i >> 3] |= 1 << (i & 7);
    }
    offsets[++i] = total;
  }, true);
  const values = new Uint8Array(total);
  for (let k = 0; k < n; k++) if (parts[k] !== undefined) values.set(parts[k]!, offsets[k]);
  // As flechette's own builder makes them: no batch for no rows, an empty validity buffer for no nulls.
  const type = utf8();
  if (n === 0) return new Column([], type);
  const Batch = batchType(type);
  return new Column([new Batch({ length: n, nullCount: nulls, type, validity: nulls > 0 ? validity : new Uint8Array(0), offsets, values })]);
}

const intRanges = { int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647] } as const;

function cannotWrite(name: string, type: string, row: number, value: unknown, expected: string): never {
  throw new PipelineError("parquet", `cannot write column "${name}" as ${type}: row ${row} holds ${JSON.stringify(value)}, expected ${expected}`);
}

/**
 * A numeric column held as a typed array (as the feature window and the stores' reads hold them)
 * as an Arrow column without a per-value builder: float64 from a Float64Array, int32 from an
 * Int32Array, timestamps from a Float64Array of whole epoch milliseconds. Undefined for any other
 * column, which then goes through arquero's builder and {@link checkColumn}.
 */
function typedColumn(values: ArrayLike<unknown>, name: string, type: TableSchema[number][1]): Column<unknown> | undefined {
  let data: Float64Array | Int32Array | BigInt64Array;
  if (type === "float64" && values instanceof Float64Array) data = values;
  else if (type === "int32" && values instanceof Int32Array) data = values;
  else if (type === "timestamp" && values instanceof Float64Array) {
    const ms = new BigInt64Array(values.length);
    // The two 32-bit halves of each int64 (little-endian), written without a BigInt per value.
    const lo = new Uint32Array(ms.buffer);
    const hi = new Int32Array(ms.buffer);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) cannotWrite(name, type, i, v, "epoch milliseconds or a Date");
      if (v % 1 !== 0 || Math.abs(v) > Number.MAX_SAFE_INTEGER) return undefined;
      lo[2 * i] = v >>> 0;
      hi[2 * i + 1] = Math.floor(v / 4294967296);
    }
    data = ms;
  } else return undefined;
  const arrow = arrowType(type);
  // As flechette's own builder makes them: no batch for no rows, an empty validity buffer.
  if (data.length === 0) return new Column([], arrow);
  const Batch = batchType(arrow);
  return new Column([new Batch({ length: data.length, nullCount: 0, type: arrow, validity: new Uint8Array(0), values: data })]);
}

/** Every value of column `name` (as {@link columnValues} gives them) fits `type`, or an error naming the row. */
function checkColumn(values: ArrayLike<unknown>, name: string, type: TableSchema[number][1]): void {
  const fail = (row: number, value: unknown, expected: string) => cannotWrite(name, type, row, value, expected);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    switch (type) {
      case "timestamp":
        if (v instanceof Date) {
          if (Number.isNaN(v.getTime())) fail(i, v, "a valid date");
        } else if (typeof v !== "number" || !Number.isFinite(v)) fail(i, v, "epoch milliseconds or a Date");
        break;
      case "int8":
      case "int16":
      case "int32": {
        const [lo, hi] = intRanges[type];
        if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) fail(i, v, `an integer in ${lo}..${hi}`);
        break;
      }
      case "float64":
        if (typeof v !== "number") fail(i, v, "a number");
        break;
      case "utf8":
        if (typeof v !== "string") fail(i, v, "a string");
        break;
      case "bool":
        if (typeof v !== "boolean") fail(i, v, "a boolean");
        break;
    }
  }
}
