/** Small formatters shared by failure messages and the summary table. */

/** `12.5%`, three significant digits; `-` when undefined. */
export function fmtPct(p: number | null | undefined): string {
  return p === null || p === undefined ? "-" : `${Number(p.toPrecision(3))}%`;
}

/** A value for one line of text: arrays shortened to `max` items, objects as JSON. */
export function fmtValue(v: unknown, max = 8): string {
  if (Array.isArray(v)) {
    const head = v.slice(0, max).map((x) => fmtValue(x, max));
    return `[${head.join(", ")}${v.length > max ? `, ... (+${v.length - max} more)` : ""}]`;
  }
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  return JSON.stringify(v);
}

/** Cuts a line to `width` characters with an ellipsis. */
export function truncate(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}
