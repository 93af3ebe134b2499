/**
 * Joins parquet files of the same schema into one without decoding their data: the row groups are
 * copied byte for byte and the footer (Thrift compact FileMetaData) is rewritten with their
 * offsets moved. Cost is a copy of the bytes, so the compacted history window (history/window.ts)
 * costs little more than its size on disk. The page indexes (column and offset index) hold
 * absolute page offsets and are not rewritten: their references are dropped, readers fall back to
 * the row-group statistics.
 */
import { PipelineError } from "../core/errors.js";

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

type Value = bigint | number | boolean | Uint8Array | ListValue | MapValue | Field[];
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

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new Error("footer ends early");
    return this.b[this.pos++];
  }
  varint(): bigint {
    let shift = 0n;
    let out = 0n;
    for (;;) {
      const x = this.byte();
      out |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return out;
      shift += 7n;
    }
  }
  zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
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
        const h = this.byte();
        let n = h >> 4;
        if (n === 15) n = Number(this.varint());
        const elem = h & 0x0f;
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
  private chunks: number[] = [];
  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
  varint(v: bigint): void {
    let x = v;
    for (;;) {
      if (x < 0x80n) {
        this.chunks.push(Number(x));
        return;
      }
      this.chunks.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
  }
  zigzag(v: bigint): void {
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  value(type: number, v: Value): void {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return;
      case T_BYTE:
        this.chunks.push((v as number) & 0xff);
        return;
      case T_I16:
      case T_I32:
        this.zigzag(BigInt(v as number));
        return;
      case T_I64:
        this.zigzag(v as bigint);
        return;
      case T_DOUBLE: {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v as number, true);
        for (const x of b) this.chunks.push(x);
        return;
      }
      case T_BINARY: {
        const b = v as Uint8Array;
        this.varint(BigInt(b.length));
        for (const x of b) this.chunks.push(x);
        return;
      }
      case T_LIST:
      case T_SET: {
        const l = v as ListValue;
        if (l.items.length < 15) this.chunks.push((l.items.length << 4) | l.elem);
        else {
          this.chunks.push(0xf0 | l.elem);
          this.varint(BigInt(l.items.length));
        }
        for (const item of l.items) {
          if (l.elem === T_TRUE || l.elem === T_FALSE) this.chunks.push(item ? T_TRUE : T_FALSE);
          else this.value(l.elem, item);
        }
        return;
      }
      case T_MAP: {
        const m = v as MapValue;
        this.varint(BigInt(m.entries.length));
        if (m.entries.length === 0) return;
        this.chunks.push((m.keyType << 4) | m.valueType);
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
    for (const f of [...fields].sort((a, b) => a.id - b.id)) {
      const type = f.type === T_TRUE || f.type === T_FALSE ? (f.value ? T_TRUE : T_FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.chunks.push((delta << 4) | type);
      else {
        this.chunks.push(type);
        this.zigzag(BigInt(f.id));
      }
      last = f.id;
      this.value(type, f.value);
    }
    this.chunks.push(T_STOP);
  }
}

const field = (s: Field[], id: number): Field | undefined => s.find((f) => f.id === id);

/** Moves every absolute offset of a row group by `delta` bytes, dropping the page-index references. */
function moveRowGroup(rg: Field[], delta: bigint): Field[] {
  const out: Field[] = [];
  for (const f of rg) {
    if (f.id === 7) continue; // ordinal: renumbered by position, only used with encryption
    if (f.id === 5 && f.type === T_I64) out.push({ ...f, value: (f.value as bigint) + delta });
    else if (f.id === 1) {
      const list = f.value as ListValue;
      out.push({ ...f, value: { ...list, items: list.items.map((c) => moveChunk(c as Field[], delta)) } });
    } else out.push(f);
  }
  return out;
}

function moveChunk(chunk: Field[], delta: bigint): Field[] {
  const out: Field[] = [];
  for (const f of chunk) {
    if (f.id >= 4 && f.id <= 7) continue; // offset and column index: absolute offsets inside them
    if (f.id === 2 && f.type === T_I64) out.push({ ...f, value: (f.value as bigint) > 0n ? (f.value as bigint) + delta : (f.value as bigint) });
    else if (f.id === 3) {
      out.push({
        ...f,
        value: (f.value as Field[]).map((m) =>
          (m.id === 9 || m.id === 10 || m.id === 11 || m.id === 14) && m.type === T_I64 ? { ...m, value: (m.value as bigint) + delta } : m,
        ),
      });
    } else out.push(f);
  }
  return out;
}

function footerOf(file: Uint8Array, index: number): { meta: Field[]; dataEnd: number } {
  const n = file.length;
  const ok = n >= 12 && MAGIC.every((m, i) => file[i] === m && file[n - 4 + i] === m);
  if (!ok) throw new PipelineError("parquet", `cannot splice file ${index}: not a parquet file (${n} bytes)`);
  const len = new DataView(file.buffer, file.byteOffset + n - 8, 4).getInt32(0, true);
  const start = n - 8 - len;
  if (len <= 0 || start < 4) throw new PipelineError("parquet", `cannot splice file ${index}: its footer length ${len} does not fit its ${n} bytes`);
  try {
    return { meta: new Reader(file.subarray(start, n - 8)).struct(), dataEnd: start };
  } catch (cause) {
    throw new PipelineError("parquet", `cannot splice file ${index}: its footer does not decode (${String(cause)})`, { cause });
  }
}

/**
 * One parquet file holding the rows of `files` in order (every file must have the same schema as
 * the first). Throws a parquet {@link PipelineError} for a file that is not parquet.
 */
export function splicedParquet(files: readonly Uint8Array[]): { bytes: Uint8Array; rows: number } {
  if (files.length === 0) throw new PipelineError("parquet", "cannot splice no files");
  const footers = files.map((f, i) => footerOf(f, i));
  const first = footers[0].meta;
  const schemaBytes = (m: Field[]) => {
    const w = new Writer();
    w.value(T_LIST, field(m, 2)!.value);
    return w.bytes().join(",");
  };
  const schema = schemaBytes(first);
  const groups: Value[] = [];
  let rows = 0n;
  let offset = 4;
  const body: Array<[Uint8Array, number]> = [];
  footers.forEach(({ meta, dataEnd }, i) => {
    if (i > 0 && schemaBytes(meta) !== schema) throw new PipelineError("parquet", `cannot splice file ${i}: its schema differs from the first file's`);
    const delta = BigInt(offset - 4);
    for (const rg of (field(meta, 4)?.value as ListValue | undefined)?.items ?? []) groups.push(moveRowGroup(rg as Field[], delta));
    rows += (field(meta, 3)?.value as bigint | undefined) ?? 0n;
    body.push([files[i].subarray(4, dataEnd), offset]);
    offset += dataEnd - 4;
  });
  const meta: Field[] = first.filter((f) => f.id !== 3 && f.id !== 4);
  meta.push({ id: 3, type: T_I64, value: rows });
  meta.push({ id: 4, type: T_LIST, value: { kind: "list", type: T_LIST, elem: T_STRUCT, items: groups } });
  const w = new Writer();
  w.struct(meta);
  const footer = w.bytes();
  const out = new Uint8Array(offset + footer.length + 8);
  out.set(MAGIC, 0);
  for (const [bytes, at] of body) out.set(bytes, at);
  out.set(footer, offset);
  new DataView(out.buffer).setInt32(offset + footer.length, footer.length, true);
  out.set(MAGIC, offset + footer.length + 4);
  return { bytes: out, rows: Number(rows) };
}
