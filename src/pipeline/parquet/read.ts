import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import * as fl from "@uwdata/flechette";
import * as pw from "parquet-wasm";
import { PipelineError } from "../core/errors.js";
import { logicalType, type ColumnType, type TableSchema } from "./schema.js";

/** Rows per Arrow record batch when decoding: large batches keep arquero fast afterwards. */
const BATCH_SIZE = 1 << 21;

/**
 * Decodes a parquet file into an arquero table. Timestamps come back as epoch milliseconds
 * (numbers), 64-bit integers from other writers as plain numbers.
 *
 * With `expected`, the file's columns must include every expected column with the expected type;
 * the result holds exactly those columns in that order. `what` names the file in errors.
 */
export function readParquet(bytes: Uint8Array, expected?: TableSchema, what = "parquet file"): ColumnTable {
  let ipc: Uint8Array;
  try {
    const wasmTable = pw.readParquet(bytes, { batchSize: BATCH_SIZE });
    ipc = wasmTable.intoIPCStream();
  } catch (cause) {
    throw new PipelineError(
      "parquet",
      `cannot decode ${what} (${bytes.byteLength} bytes): ${String(cause)}; the file is corrupt or not parquet, rewrite it from its source`,
      { cause },
    );
  }
  if (expected) checkSchema(ipc, expected, what);
  // useBigInt false (the default) turns int64 into numbers, so arquero aggregates work.
  const table = aq.fromArrow(ipc, { useDate: false }) as ColumnTable;
  return expected ? table.select(expected.map(([name]) => name)) : table;
}

/** The logical schema of a parquet file (columns whose type we do not write map to `undefined`). */
export function parquetSchema(bytes: Uint8Array): Array<[string, ColumnType | undefined]> {
  const ipc = pw.readParquet(bytes, { batchSize: 1, limit: 1 }).intoIPCStream();
  return fl.tableFromIPC(ipc).schema.fields.map((f) => [f.name, logicalType(f.type)]);
}

function checkSchema(ipc: Uint8Array, expected: TableSchema, what: string): void {
  const fields = fl.tableFromIPC(ipc).schema.fields;
  const actual = new Map(fields.map((f) => [f.name, logicalType(f.type)]));
  const problems: string[] = [];
  for (const [name, type] of expected) {
    if (!actual.has(name)) problems.push(`missing column "${name}" (${type})`);
    else if (actual.get(name) !== type) problems.push(`column "${name}" is ${actual.get(name) ?? "an unsupported type"}, expected ${type}`);
  }
  if (problems.length > 0) {
    throw new PipelineError(
      "parquet",
      `${what} does not match the expected schema: ${problems.join("; ")}; found columns ${fields.map((f) => f.name).join(", ")}`,
    );
  }
}
