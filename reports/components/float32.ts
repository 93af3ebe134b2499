/**
 * How the pages read back numbers the loaders ship as 32-bit floats (Arrow `Float32`, half the
 * bytes of `Float64`). The loaders ship values already rounded (reports/data/lib/store.ts:
 * `amount` keeps whole numbers from 1,000 up and four significant digits below, `frac` five
 * decimals), so seven significant digits, what a float32 holds, give each value back exactly; a
 * loader ships a column as float32 only when {@link fitsFloat32} says so for every value. Shared
 * by the loaders and the pages so both apply the same rule.
 */

/** The number a float32 `x` stands for: whole numbers as they are, others to seven significant digits. */
export function fromFloat32(x: number): number {
  return Number.isInteger(x) || !Number.isFinite(x) ? x : Number(x.toPrecision(7));
}

/** Whether `v` comes back unchanged from a float32 column read with {@link fromFloat32}. */
export function fitsFloat32(v: number): boolean {
  return fromFloat32(Math.fround(v)) === v;
}
