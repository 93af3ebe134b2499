/**
 * Joins parquet files of the same schema into one without decoding their data: the row groups are
 * copied byte for byte and the footer (Thrift compact FileMetaData) is rewritten with their
 * offsets moved. Cost is a copy of the bytes, so the compacted history window (history/window.ts)
 * costs little more than its size on disk. The page indexes (column and offset index) hold
 * absolute page offsets and are not rewritten: their references are dropped, readers fall back to
 * the row-group statistics.
 */
import { PipelineError } from "../core/errors.js";
import { sameBytes } from "./bytes.js";

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

// Thrift compact protocol types.
const T_STOP = 0,
  T_TRUE = 1,
  T_FALSE = 2,
  T_BYTE = 3,
  T_I16 = 4,
  T_I32 = 5,
  T_I64 = 6,
  T_DOUBLE = 7,
  T_BINARY = 8,
  T_LIST = 9,
  T_SET = 10,
  T_MAP = 11,
  T_STRUCT = 12;

/** An i64 is a number while it is a safe integer, a bigint beyond (parquet footers hold offsets and counts: numbers in practice). */
type Int = number | bigint;
type Value = Int | boolean | Uint8Array | ListValue | MapValue | Field[];
interface ListValue {
  kind: "list";
  type: number;
  elem: number;
  items: Value[];
}
interface MapValue {
  kind: "map";
  keyType: number;
  valueType: number;
  entries: Array<[Value, Value]>;
}
interface Field {
  id: number;
  type: number;
  value: Value;
}

const TWO_POW_49 = 2 ** 49;

/** `v + delta`, a bigint when it would leave the safe integers. */
function plus(v: Int, delta: number): Int {
  if (typeof v === "bigint") return v + BigInt(delta);
  const out = v + delta;
  return Number.isSafeInteger(out) ? out : BigInt(v) + BigInt(delta);
}

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new Error("footer ends early");
    return this.b[this.pos++];
  }
  /** The bytes from `start` to the current position. */
  since(start: number): Uint8Array {
    if (this.pos > this.b.length) throw new Error("footer ends early");
    return this.b.subarray(start, this.pos);
  }
  /** A list's length and element type. */
  listHeader(): { n: number; elem: number } {
    const h = this.byte();
    const n = h >> 4;
    return { n: n === 15 ? Number(this.varint()) : n, elem: h & 0x0f };
  }
  /** Moves past a value without building it: what the splice does with every field it keeps as is. */
  skip(type: number): void {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return;
      case T_BYTE:
        this.byte();
        return;
      case T_I16:
      case T_I32:
      case T_I64:
        while (this.byte() & 0x80);
        return;
      case T_DOUBLE:
        this.pos += 8;
        return;
      case T_BINARY: {
        const n = Number(this.varint()); // read before `pos` is: `this.pos += varint()` would add to the old position
        this.pos += n;
        return;
      }
      case T_LIST:
      case T_SET: {
        const { n, elem } = this.listHeader();
        for (let i = 0; i < n; i++) {
          if (elem === T_TRUE || elem === T_FALSE) this.byte();
          else this.skip(elem);
        }
        return;
      }
      case T_MAP: {
        const n = Number(this.varint());
        if (n === 0) return;
        const h = this.byte();
        for (let i = 0; i < n; i++) {
          this.skip(h >> 4);
          this.skip(h & 0x0f);
        }
        return;
      }
      case T_STRUCT:
        for (;;) {
          const h = this.byte();
          if ((h & 0x0f) === T_STOP) return;
          if (h >> 4 === 0) this.zigzag();
          this.skip(h & 0x0f);
        }
      default:
        throw new Error(`unknown thrift type ${type}`);
    }
  }
  // Numbers, not bigints, on the common path: a footer of hundreds of row groups is mostly varints.
  varint(): Int {
    const start = this.pos;
    let out = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      const x = this.byte();
      out += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return out;
      mul *= 128;
    }
    this.pos = start;
    let shift = 0n;
    let big = 0n;
    for (;;) {
      const x = this.byte();
      big |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return big < BigInt(TWO_POW_49) ? Number(big) : big;
      shift += 7n;
    }
  }
  zigzag(): Int {
    const v = this.varint();
    if (typeof v === "bigint") return (v >> 1n) ^ -(v & 1n);
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  value(type: number): Value {
    switch (type) {
      case T_TRUE:
        return true;
      case T_FALSE:
        return false;
      case T_BYTE:
        return (this.byte() << 24) >> 24;
      case T_I16:
      case T_I32:
        return Number(this.zigzag());
      case T_I64:
        return this.zigzag();
      case T_DOUBLE: {
        const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case T_BINARY: {
        const n = Number(this.varint());
        const v = this.b.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case T_LIST:
      case T_SET: {
        const { n, elem } = this.listHeader();
        const items: Value[] = [];
        for (let i = 0; i < n; i++) items.push(elem === T_TRUE || elem === T_FALSE ? this.byte() === T_TRUE : this.value(elem));
        return { kind: "list", type, elem, items };
      }
      case T_MAP: {
        const n = Number(this.varint());
        if (n === 0) return { kind: "map", keyType: 0, valueType: 0, entries: [] };
        const h = this.byte();
        const entries: Array<[Value, Value]> = [];
        for (let i = 0; i < n; i++) entries.push([this.value(h >> 4), this.value(h & 0x0f)]);
        return { kind: "map", keyType: h >> 4, valueType: h & 0x0f, entries };
      }
      case T_STRUCT:
        return this.struct();
      default:
        throw new Error(`unknown thrift type ${type}`);
    }
  }
  struct(): Field[] {
    const fields: Field[] = [];
    let last = 0;
    for (;;) {
      const h = this.byte();
      const type = h & 0x0f;
      if (type === T_STOP) return fields;
      const delta = h >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      fields.push({ id, type, value: this.value(type) });
    }
  }
}

class Writer {
  private buf = new Uint8Array(1 << 16);
  private n = 0;
  bytes(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  /** Bytes as they are. */
  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  /** A struct field's header after the field `last`. */
  header(id: number, type: number, last: number): void {
    const delta = id - last;
    if (delta > 0 && delta <= 15) this.push((delta << 4) | type);
    else {
      this.push(type);
      this.zigzag(id);
    }
  }
  /** A list header of `n` items of type `elem`. */
  listHeader(n: number, elem: number): void {
    if (n < 15) this.push((n << 4) | elem);
    else {
      this.push(0xf0 | elem);
      this.varint(n);
    }
  }
  push(x: number): void {
    this.room(1);
    this.buf[this.n++] = x;
  }
  varint(v: Int): void {
    if (typeof v === "bigint") {
      let x = v;
      while (x >= 0x80n) {
        this.push(Number(x & 0x7fn) | 0x80);
        x >>= 7n;
      }
      this.push(Number(x));
      return;
    }
    let x = v;
    while (x >= 0x80) {
      this.push((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    this.push(x);
  }
  zigzag(v: Int): void {
    if (typeof v === "bigint") this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
    else if (Math.abs(v) < TWO_POW_49) this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
    else this.zigzag(BigInt(v));
  }
  value(type: number, v: Value): void {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return;
      case T_BYTE:
        this.push((v as number) & 0xff);
        return;
      case T_I16:
      case T_I32:
      case T_I64:
        this.zigzag(v as Int);
        return;
      case T_DOUBLE: {
        this.room(8);
        new DataView(this.buf.buffer, this.n, 8).setFloat64(0, v as number, true);
        this.n += 8;
        return;
      }
      case T_BINARY: {
        const b = v as Uint8Array;
        this.varint(b.length);
        this.room(b.length);
        this.buf.set(b, this.n);
        this.n += b.length;
        return;
      }
      case T_LIST:
      case T_SET: {
        const l = v as ListValue;
        if (l.items.length < 15) this.push((l.items.length << 4) | l.elem);
        else {
          this.push(0xf0 | l.elem);
          this.varint(l.items.length);
        }
        for (const item of l.items) {
          if (l.elem === T_TRUE || l.elem === T_FALSE) this.push(item ? T_TRUE : T_FALSE);
          else this.value(l.elem, item);
        }
        return;
      }
      case T_MAP: {
        const m = v as MapValue;
        this.varint(m.entries.length);
        if (m.entries.length === 0) return;
        this.push((m.keyType << 4) | m.valueType);
        for (const [k, x] of m.entries) {
          this.value(m.keyType, k);
          this.value(m.valueType, x);
        }
        return;
      }
      case T_STRUCT:
        this.struct(v as Field[]);
        return;
      default:
        throw new Error(`unknown thrift type ${type}`);
    }
  }
  struct(fields: Field[]): void {
    let last = 0;
    const ordered = fields.every((f, i) => i === 0 || fields[i - 1].id < f.id) ? fields : [...fields].sort((a, b) => a.id - b.id);
    for (const f of ordered) {
      const type = f.type === T_TRUE || f.type === T_FALSE ? (f.value ? T_TRUE : T_FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.push((delta << 4) | type);
      else {
        this.push(type);
        this.zigzag(f.id);
      }
      last = f.id;
      this.value(type, f.value);
    }
    this.push(T_STOP);
  }
}

/** How {@link copyStruct} treats a field: copied as is (undefined), dropped (null), or rewritten. */
type Edit = (id: number, type: number) => ((r: Reader, w: Writer) => void) | null | undefined;

/**
 * Copies a struct from `r` to `w` field by field: a field is copied as raw bytes unless `edit`
 * drops or rewrites it. Only the rewritten values are decoded, so a footer of hundreds of row
 * groups costs a pass over its bytes, not a tree of objects.
 */
function copyStruct(r: Reader, w: Writer, edit: Edit): void {
  let lastIn = 0;
  let lastOut = 0;
  for (;;) {
    const h = r.byte();
    const type = h & 0x0f;
    if (type === T_STOP) {
      w.push(T_STOP);
      return;
    }
    const id = h >> 4 === 0 ? Number(r.zigzag()) : lastIn + (h >> 4);
    lastIn = id;
    const how = edit(id, type);
    if (how === null) {
      r.skip(type);
      continue;
    }
    w.header(id, type, lastOut);
    lastOut = id;
    if (how === undefined) {
      const at = r.pos;
      r.skip(type);
      w.raw(r.since(at));
    } else how(r, w);
  }
}

/**
 * Copies a list of structs, each through {@link copyStruct}, and returns how many; without
 * `header` only the items are written (the caller joins several lists under one header).
 */
function copyStructList(r: Reader, w: Writer, edit: Edit, header = true): number {
  const { n, elem } = r.listHeader();
  if (elem !== T_STRUCT) throw new Error(`expected a list of structs, found element type ${elem}`);
  if (header) w.listHeader(n, T_STRUCT);
  for (let i = 0; i < n; i++) copyStruct(r, w, edit);
  return n;
}

const moved =
  (delta: number, onlyPositive = false) =>
  (r: Reader, w: Writer): void => {
    const v = r.zigzag();
    w.zigzag(onlyPositive && !(v > 0) ? v : plus(v, delta));
  };

/** ColumnMetaData: its page offsets (data, index, dictionary page; bloom filter) move by `delta`. */
const columnMetaEdit =
  (delta: number): Edit =>
  (id, type) =>
    (id === 9 || id === 10 || id === 11 || id === 14) && type === T_I64 ? moved(delta) : undefined;

/** ColumnChunk: file_offset and its metadata move; the page-index references (4-7) hold absolute offsets inside them, dropped. */
const columnChunkEdit =
  (delta: number): Edit =>
  (id, type) => {
    if (id >= 4 && id <= 7) return null;
    if (id === 2 && type === T_I64) return moved(delta, true);
    if (id === 3 && type === T_STRUCT) return (r, w) => copyStruct(r, w, columnMetaEdit(delta));
    return undefined;
  };

/** RowGroup: its columns and file_offset move; the ordinal (7) is dropped: renumbered by position, only used with encryption. */
const rowGroupEdit =
  (delta: number): Edit =>
  (id, type) => {
    if (id === 7) return null;
    if (id === 5 && type === T_I64) return moved(delta);
    if (id === 1 && type === T_LIST) return (r, w) => copyStructList(r, w, columnChunkEdit(delta));
    return undefined;
  };

/** A footer's top-level fields as raw value bytes, and where its data ends. */
interface Footer {
  fields: Array<{ id: number; type: number; value: Uint8Array }>;
  dataEnd: number;
}

function footerOf(file: Uint8Array, index: number): Footer {
  const n = file.length;
  const ok = n >= 12 && MAGIC.every((m, i) => file[i] === m && file[n - 4 + i] === m);
  if (!ok) throw new PipelineError("parquet", `cannot splice file ${index}: not a parquet file (${n} bytes)`);
  const len = new DataView(file.buffer, file.byteOffset + n - 8, 4).getInt32(0, true);
  const start = n - 8 - len;
  if (len <= 0 || start < 4) throw new PipelineError("parquet", `cannot splice file ${index}: its footer length ${len} does not fit its ${n} bytes`);
  try {
    const r = new Reader(file.subarray(start, n - 8));
    const fields: Footer["fields"] = [];
    let last = 0;
    for (;;) {
      const h = r.byte();
      const type = h & 0x0f;
      if (type === T_STOP) break;
      const id = h >> 4 === 0 ? Number(r.zigzag()) : last + (h >> 4);
      last = id;
      const at = r.pos;
      r.skip(type);
      fields.push({ id, type, value: r.since(at) });
    }
    return { fields, dataEnd: start };
  } catch (cause) {
    throw new PipelineError("parquet", `cannot splice file ${index}: its footer does not decode (${String(cause)})`, { cause });
  }
}

const valueOf = (f: Footer, id: number) => f.fields.find((x) => x.id === id);

/** The schema as the writer would encode it: files whose schema bytes differ may still agree once re-encoded. */
function encodedSchema(f: Footer): string {
  const schema = valueOf(f, 2);
  if (!schema) return "";
  const w = new Writer();
  w.value(T_LIST, new Reader(schema.value).value(T_LIST));
  return w.bytes().join(",");
}

/**
 * The rows of each row group of a parquet file, from its footer alone; undefined for bytes that are
 * not a parquet file with a readable footer (the decoder then says what is wrong).
 */
export function rowGroupRows(file: Uint8Array): number[] | undefined {
  try {
    const groups = valueOf(footerOf(file, 0), 4);
    if (groups === undefined) return [];
    const list = new Reader(groups.value).value(T_LIST) as ListValue;
    return list.items.map((group) => Number((group as Field[]).find((f) => f.id === 3)?.value ?? 0));
  } catch {
    return undefined;
  }
}

/**
 * One parquet file holding the rows of `files` in order (every file must have the same schema as
 * the first). Throws a parquet {@link PipelineError} for a file that is not parquet.
 */
export function splicedParquet(files: readonly Uint8Array[]): { bytes: Uint8Array; rows: number } {
  if (files.length === 0) throw new PipelineError("parquet", "cannot splice no files");
  const footers = files.map((f, i) => footerOf(f, i));
  const first = footers[0];
  const schema = valueOf(first, 2)?.value;
  const groups = new Writer();
  let groupCount = 0;
  let rows = 0;
  let offset = 4;
  const body: Array<[Uint8Array, number]> = [];
  footers.forEach((footer, i) => {
    if (i > 0 && !sameBytes(valueOf(footer, 2)?.value, schema) && encodedSchema(footer) !== encodedSchema(first)) {
      throw new PipelineError("parquet", `cannot splice file ${i}: its schema differs from the first file's`);
    }
    const delta = offset - 4;
    try {
      const rowGroups = valueOf(footer, 4);
      if (rowGroups) groupCount += copyStructList(new Reader(rowGroups.value), groups, rowGroupEdit(delta), false);
      const numRows = valueOf(footer, 3);
      if (numRows) rows += Number(new Reader(numRows.value).zigzag());
    } catch (cause) {
      throw new PipelineError("parquet", `cannot splice file ${i}: its footer does not decode (${String(cause)})`, { cause });
    }
    body.push([files[i].subarray(4, footer.dataEnd), offset]);
    offset += footer.dataEnd - 4;
  });
  const w = new Writer();
  const top = [
    ...first.fields.filter((f) => f.id !== 3 && f.id !== 4),
    { id: 3, type: T_I64, value: undefined },
    { id: 4, type: T_LIST, value: undefined },
  ].sort((a, b) => a.id - b.id);
  let last = 0;
  for (const f of top) {
    w.header(f.id, f.type, last);
    last = f.id;
    if (f.id === 3) w.zigzag(rows);
    else if (f.id === 4) {
      w.listHeader(groupCount, T_STRUCT);
      w.raw(groups.bytes());
    } else w.raw(f.value!);
  }
  w.push(T_STOP);
  const footer = w.bytes();
  const out = new Uint8Array(offset + footer.length + 8);
  out.set(MAGIC, 0);
  for (const [bytes, at] of body) out.set(bytes, at);
  out.set(footer, offset);
  new DataView(out.buffer).setInt32(offset + footer.length, footer.length, true);
  out.set(MAGIC, offset + footer.length + 4);
  return { bytes: out, rows };
}
