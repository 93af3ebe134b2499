/**
 * Stable partition of a leaf's rows at a split: rows going left first, then rows going right,
 * each in their previous (increasing) order, in place in the leaf's range of the row array.
 *
 * Branch-free: the side of each code is looked up in a 256-entry table, and every row is written
 * to both output buffers with only the chosen cursor advancing (left/right is unpredictable, so a
 * branch would mispredict half the time). Exists in JavaScript and as WebAssembly.
 */
import { MISSING_BIN } from "./binning.js";
import { assembler, I32, op, type WasmFunction } from "./wasm.js";

/** Fills `table` (256 entries) with 1 for the codes that go left: value codes 1..code, and missing when `missingLeft`. */
export function fillSideTable(table: Uint8Array, code: number, missingLeft: boolean): void {
  table.fill(0);
  table.fill(1, 1, code + 1);
  table[MISSING_BIN] = missingLeft ? 1 : 0;
}

/**
 * Partitions `rows[begin..end)` by `table[codes[offset + row]]` (1 = left) using the buffers
 * `left` and `right`; returns the number of rows that went left.
 */
export function partitionJs(
  rows: Uint32Array,
  begin: number,
  end: number,
  codes: Uint8Array,
  offset: number,
  table: Uint8Array,
  left: Uint32Array,
  right: Uint32Array,
): number {
  let l = 0;
  let t = 0;
  for (let i = begin; i < end; i++) {
    const r = rows[i];
    const side = table[codes[offset + r]];
    left[l] = r;
    right[t] = r;
    l += side;
    t += 1 - side;
  }
  rows.set(left.subarray(0, l), begin);
  rows.set(right.subarray(0, t), begin + l);
  return l;
}

/**
 * `partition(rowsPtr, count, codesPtr, tablePtr, leftPtr, rightPtr) -> nLeft`: the loop of
 * {@link partitionJs} (the copy back into `rows` is left to the caller).
 */
export function partitionFunction(): WasmFunction {
  const [ROWS, COUNT, CODES, TABLE, LEFT, RIGHT, R, L, T, SIDE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const get = op.localGet;
  const set = op.localSet;
  const { body, emit } = assembler();
  emit(op.block, op.loop);
  emit(get(COUNT), op.i32Eqz, op.brIf(1));
  emit(get(ROWS), op.i32Load(0), set(R));
  emit(get(TABLE), get(CODES), get(R), op.i32Add, op.i32Load8U(0), op.i32Add, op.i32Load8U(0), set(SIDE));
  emit(get(LEFT), get(L), op.i32Const(2), op.i32Shl, op.i32Add, get(R), op.i32Store(0));
  emit(get(RIGHT), get(T), op.i32Const(2), op.i32Shl, op.i32Add, get(R), op.i32Store(0));
  emit(get(L), get(SIDE), op.i32Add, set(L));
  emit(get(T), op.i32Const(1), op.i32Add, get(SIDE), op.i32Sub, set(T));
  emit(get(ROWS), op.i32Const(4), op.i32Add, set(ROWS));
  emit(get(COUNT), op.i32Const(1), op.i32Sub, set(COUNT));
  emit(op.br(0), op.end, op.end);
  emit(get(L));
  return { exportName: "partition", params: [I32, I32, I32, I32, I32, I32], results: [I32], locals: [[4, I32]], body };
}
