/** Small helpers shared by the expectations that read time and group columns row by row. */

/** A row's time as epoch ms (numbers, or Dates as their epoch ms); undefined for anything else. */
export function timeAt(values: ArrayLike<unknown>, i: number): number | undefined {
  const v = values[i];
  if (typeof v === "number") return v;
  if (v instanceof Date) return v.getTime();
  return undefined;
}

/** A row's group as `{ column: value }`, for lists of unexpected values. */
export function rowGroup(names: readonly string[], columns: ReadonlyArray<ArrayLike<unknown>>, row: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  names.forEach((name, j) => (out[name] = columns[j][row] ?? null));
  return out;
}

/** Why an instant kwarg cannot be read, or undefined when `Date.parse` reads it. */
export function instantProblem(name: string, text: string): string | undefined {
  return Number.isFinite(Date.parse(text)) ? undefined : `${name} must be an ISO instant such as 2023-01-15T00:00Z, got "${text}"`;
}
