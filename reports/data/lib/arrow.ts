/**
 * Building the pages' Arrow IPC files (apache-arrow): the `*.arrow.ts` loaders write one table
 * each, in the IPC file format (what `pyarrow.ipc.open_file`, DuckDB and apache-arrow read), and
 * the pages read it with reports/components/arrow.ts. Numbers go as float32 when every value of
 * the column survives the trip (reports/components/float32.ts), else as float64: half the bytes
 * for the usual values, and never a changed number.
 */
import { Dictionary, Field, Float32, Float64, FixedSizeList, Int8, Int16, Int32, Table, Utf8, tableToIPC, vectorFromArray, type DataType, type Vector } from "apache-arrow";
import type { DatasetInfo, KeyValue } from "../../../src/pipeline/index.js";
import { fitsFloat32 } from "../../components/float32.js";
import { runLoader, type ReportContext } from "./context.js";

type Num = number | null;

/** Float32 when every value fits it ({@link fitsFloat32}), else Float64. */
export function floatType(values: Iterable<Num>): Float32 | Float64 {
  for (const v of values) if (v !== null && !fitsFloat32(v)) return new Float64();
  return new Float32();
}

/** A column of numbers (null: missing), float32 when they all fit. */
export function numbers(values: Num[]): Vector {
  return vectorFromArray(values, floatType(values));
}

/** The narrowest signed integer type holding every integer in [lo, hi]. */
function intType(lo: number, hi: number): Int8 | Int16 | Int32 {
  return lo >= -128 && hi <= 127 ? new Int8() : lo >= -32768 && hi <= 32767 ? new Int16() : new Int32();
}

/** A column of integers (counts, indices), in the narrowest type that holds them. */
export function integers(values: number[]): Vector {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return vectorFromArray(values, intType(lo, hi));
}

/** A column of texts that repeat (titles, model names): each distinct text once, indexed as narrowly as their number allows. */
export function categories(values: Array<string | null>): Vector {
  return vectorFromArray(values, new Dictionary(new Utf8(), intType(0, new Set(values).size)));
}

/** A column of texts that do not repeat (labels). */
export function texts(values: string[]): Vector {
  return vectorFromArray(values, new Utf8());
}

/**
 * Fixed-length lists of numbers, one per row (a series' hours, a forecast's steps); null for a
 * row without one. Float32 unless a value needs more.
 */
export function numberLists(lists: Array<Num[] | null>, size: number): Vector {
  const type = floatType((function* () {
    for (const l of lists) if (l) yield* l;
  })());
  return vectorFromArray(lists, new FixedSizeList(size, new Field("value", type as DataType, true)));
}

/** The key column `k` of a dataset as its values are typed in the store (int8, int32, or text). */
export function keyColumn(values: KeyValue[], info: DatasetInfo, k: number): Vector {
  const type = info.keys[k].type;
  if (type === "utf8") return categories(values.map(String));
  // As stored: int8 or int32, so the file's types are the store's.
  return vectorFromArray(values as number[], type === "int8" ? new Int8() : new Int32());
}

/** A table of the given columns, in the Arrow IPC file format. */
export function arrowFile(columns: Record<string, Vector>): Uint8Array {
  return tableToIPC(new Table(columns), "file");
}

/** Runs an Arrow loader: the columns `build` gives, written to stdout as one Arrow IPC file. */
export function runArrowLoader(name: string, build: (ctx: ReportContext) => Promise<Record<string, Vector>>): void {
  runLoader(name, async (ctx) => {
    process.stdout.write(arrowFile(await build(ctx)));
  });
}
