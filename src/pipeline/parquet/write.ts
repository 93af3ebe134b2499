import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import * as pw from "parquet-wasm";
import { PipelineError } from "../core/errors.js";
import { arrowType, type TableSchema } from "./schema.js";

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
  for (const [name, type] of schema) checkColumn(table, name, type);
  const types = Object.fromEntries(schema.map(([name, type]) => [name, arrowType(type)]));
  const ipc = aq.toArrowIPC(table, { columns: schema.map(([name]) => name), types });
  const arrowTable = pw.Table.fromIPCStream(ipc);
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build();
  // writeParquet consumes both the table and the properties (their wasm memory is freed).
  return pw.writeParquet(arrowTable, props);
}

const intRanges = { int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647] } as const;

function checkColumn(table: ColumnTable, name: string, type: TableSchema[number][1]): void {
  const column = table.column(name)!;
  const n = table.numRows();
  const fail = (row: number, value: unknown, expected: string) => {
    throw new PipelineError("parquet", `cannot write column "${name}" as ${type}: row ${row} holds ${JSON.stringify(value)}, expected ${expected}`);
  };
  for (let i = 0; i < n; i++) {
    const v = column.at(i);
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
