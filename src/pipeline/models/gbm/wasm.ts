/**
 * A very small WebAssembly assembler: just enough to emit the histogram kernel (one function,
 * one imported memory). Writing the bytes from TypeScript keeps the project free of a compiler
 * toolchain and lets the kernel be specialised for each training set (strides as constants).
 */

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Instructions (WebAssembly MVP opcodes), each as its encoded bytes. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  localSet: (i: number): number[] => [0x21, ...uleb(i)],
  localTee: (i: number): number[] => [0x22, ...uleb(i)],
  i32Load: (offset: number): number[] => [0x28, 2, ...uleb(offset)],
  i32Store: (offset: number): number[] => [0x36, 2, ...uleb(offset)],
  i32Load8U: (offset: number): number[] => [0x2d, 0, ...uleb(offset)],
  i32Store8: (offset: number): number[] => [0x3a, 0, ...uleb(offset)],
  f64Load: (offset: number): number[] => [0x2b, 3, ...uleb(offset)],
  f64Store: (offset: number): number[] => [0x39, 3, ...uleb(offset)],
  i32Const: (v: number): number[] => [0x41, ...sleb(v)],
  f64Const: (v: number): number[] => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)],
  i32Eqz: [0x45],
  i32LtS: [0x48],
  i32LtU: [0x49],
  i32GeS: [0x4e],
  f64Eq: [0x61],
  f64Ne: [0x62],
  f64Lt: [0x63],
  f64Gt: [0x64],
  f64Ge: [0x66],
  i32And: [0x71],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  f64Floor: [0x9c],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Div: [0xa3],
};

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = Array.from(s, (c) => c.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

/** Collects instruction bytes. */
export function assembler(): { body: number[]; emit: (...parts: number[][]) => void } {
  const body: number[] = [];
  return {
    body,
    emit: (...parts) => {
      for (const part of parts) body.push(...part);
    },
  };
}

/** A function for {@link assembleModule}. */
export interface WasmFunction {
  exportName: string;
  params: number[];
  /** Result types (at most one). */
  results?: number[];
  /** Extra locals after the parameters, as [count, type] runs. */
  locals: [number, number][];
  /** Instruction bytes, without the final `end`. */
  body: number[];
}

/**
 * A module importing `env.memory` (at least `minPages` pages) and exporting the given functions.
 */
export function assembleModule(functions: WasmFunction[], minPages: number): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((p) => [p])), ...vector((f.results ?? []).map((r) => [r]))]);
  const codes = functions.map((f) => {
    const body = [...vector(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, ...op.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector([[...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(minPages)]])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]))),
    ...section(10, vector(codes)),
  ]);
}
