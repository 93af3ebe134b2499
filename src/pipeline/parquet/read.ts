import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import * as fl from "@uwdata/flechette";
import { pw } from "./wasm.js";
import { PipelineError } from "../core/errors.js";
import { sameBytes } from "./bytes.js";
import { concatRows } from "../core/columns.js";
import { rowGroupRows } from "./splice.js";
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
  const spans = rowGroupSpans(rowGroupRows(bytes) ?? []);
  if (spans.length <= 1) return decode(bytes, expected, what);
  const parts = spans.map((groups) => decode(bytes, expected, what, groups));
  return concatRows(parts, parts[0].columnNames());
}

/** Rows a wide file is decoded in at a time, in whole row groups: parquet-wasm's own row group size (1024 x 1024). */
const DECODE_ROWS = 1024 * 1024;

/** Consecutive row groups joined up to {@link DECODE_ROWS} rows (a group above it alone). */
function rowGroupSpans(rows: readonly number[]): number[][] {
  const spans: number[][] = [];
  let span: number[] = [];
  let inSpan = 0;
  rows.forEach((n, g) => {
    if (span.length > 0 && inSpan + n > DECODE_ROWS) {
      spans.push(span);
      span = [];
      inSpan = 0;
    }
    span.push(g);
    inSpan += n;
  });
  if (span.length > 0) spans.push(span);
  return spans;
}

/**
 * {@link readParquet} of the whole file, or of the row groups `rowGroups` only. A wide file is
 * decoded about a million rows at a time: the wasm memory a decode grows to (and never gives back)
 * is then bounded by that, not by the file (at 40k series x 9 days, a one-shard predict went from
 * 1.8 to 1.0 GB).
 */
function decode(bytes: Uint8Array, expected: TableSchema | undefined, what: string, rowGroups?: number[]): ColumnTable {
  let ipc: Uint8Array;
  try {
    const wasmTable = pw.readParquet(bytes, { batchSize: BATCH_SIZE, ...(rowGroups === undefined ? {} : { rowGroups }) });
    ipc = wasmTable.intoIPCStream();
  } catch (cause) {
    throw new PipelineError(
      "parquet",
      `cannot decode ${what} (${bytes.byteLength} bytes): ${String(cause)}; the file is corrupt or not parquet, rewrite it from its source`,
      { cause },
    );
  }
  // useBigInt false (the default) turns int64 into numbers, so arquero aggregates work.
  const arrow = fl.tableFromIPC(ipc, { useDate: false });
  if (expected) checkSchema(arrow, expected, what);
  let table = aq.fromArrow(arrow as unknown as Parameters<typeof aq.fromArrow>[0]) as ColumnTable; // the same flechette table; its .d.ts types metadata apart
  const names = new Set(expected ? expected.map(([name]) => name) : arrow.schema.fields.map((f) => f.name));
  const decoded: Record<string, ArrayLike<unknown>> = {};
  for (const f of arrow.schema.fields) {
    if (!names.has(f.name)) continue;
    const column = arrow.getChild(f.name);
    if (f.type.typeId === fl.Type.Utf8) decoded[f.name] = decodedText(column as fl.Column<string>);
    else {
      const dense = denseNumbers(column as fl.Column<unknown>, f.type.typeId);
      if (dense) decoded[f.name] = dense;
    }
  }
  if (Object.keys(decoded).length > 0) table = table.assign(decoded as unknown as Parameters<ColumnTable["assign"]>[0]);
  return expected ? table.select(expected.map(([name]) => name)) : table;
}

/**
 * A numeric column without nulls as one typed array (timestamps and 64-bit integers as
 * Float64Array numbers), or undefined for other columns. arquero otherwise reads an Arrow column
 * value by value, converting each 64-bit value on every access, and copies it into a plain array
 * on every `array()` call; a window of millions of rows held as plain arrays is also what the
 * garbage collector then walks again and again.
 */
function denseNumbers(column: fl.Column<unknown>, typeId: number): Float64Array | Int32Array | undefined {
  if (column.nullCount > 0) return undefined;
  const wide = typeId === fl.Type.Timestamp || typeId === fl.Type.Int || typeId === fl.Type.Float;
  if (!wide) return undefined;
  const batches = column.data as unknown as Array<{ length: number; values: ArrayLike<number | bigint> }>;
  const first = batches[0]?.values;
  const Out = first instanceof Int32Array ? Int32Array : first instanceof Float64Array || first instanceof BigInt64Array ? Float64Array : undefined;
  if (Out === undefined || batches.some((b) => b.values.constructor !== first!.constructor)) return undefined;
  const out = new Out(column.length);
  let at = 0;
  for (const { length, values } of batches) {
    if (values instanceof BigInt64Array) for (let i = 0; i < length; i++) out[at++] = Number(values[i]);
    else {
      out.set((values as Float64Array).subarray(0, length), at);
      at += length;
    }
  }
  return out;
}

/**
 * A utf8 column decoded once into strings, each run of equal values decoded once and shared.
 * arquero keeps an Arrow text column as it is and decodes a value on every access; a text key of
 * a wide window (a series' rows together, as the stores keep them) would otherwise be decoded, and
 * held, once per row.
 */
function decodedText(column: fl.Column<string>): Array<string | null> {
  const out = new Array<string | null>(column.length);
  const decoder = new TextDecoder();
  let at = 0;
  let prevBytes: Uint8Array | undefined;
  let prev: string | null = null;
  for (const batch of column.data) {
    const { offsets, values } = batch as unknown as { offsets: Int32Array; values: Uint8Array };
    const nullable = batch.nullCount > 0;
    for (let i = 0; i < batch.length; i++, at++) {
      if (nullable && !batch.isValid(i)) {
        out[at] = null;
        continue;
      }
      const bytes = values.subarray(offsets[i], offsets[i + 1]);
      if (!sameBytes(prevBytes, bytes)) {
        prev = decoder.decode(bytes);
        prevBytes = bytes;
      }
      out[at] = prev;
    }
  }
  return out;
}

/** The logical schema of a parquet file (columns whose type we do not write map to `undefined`). */
export function parquetSchema(bytes: Uint8Array): Array<[string, ColumnType | undefined]> {
  const ipc = pw.readParquet(bytes, { batchSize: 1, limit: 1 }).intoIPCStream();
  return fl.tableFromIPC(ipc).schema.fields.map((f) => [f.name, logicalType(f.type)]);
}

function checkSchema(arrow: fl.Table, expected: TableSchema, what: string): void {
  const fields = arrow.schema.fields;
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
