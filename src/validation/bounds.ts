import type { BoundKwargs } from "./kwargs.js";

/** True when `x` lies within the GE bounds (a null/absent bound is open). */
export function withinBounds(x: number, b: BoundKwargs): boolean {
  if (b.min_value !== undefined && b.min_value !== null) {
    if (b.strict_min ? !(x > b.min_value) : !(x >= b.min_value)) return false;
  }
  if (b.max_value !== undefined && b.max_value !== null) {
    if (b.strict_max ? !(x < b.max_value) : !(x <= b.max_value)) return false;
  }
  return true;
}

/** `>= 0`, `> 0 and <= 10`... */
export function describeBounds(b: BoundKwargs): string {
  const parts: string[] = [];
  if (b.min_value !== undefined && b.min_value !== null) parts.push(`${b.strict_min ? ">" : ">="} ${b.min_value}`);
  if (b.max_value !== undefined && b.max_value !== null) parts.push(`${b.strict_max ? "<" : "<="} ${b.max_value}`);
  return parts.join(" and ");
}

/** Cross-field rule of every bounded expectation: at least one bound, and min <= max. */
export function checkBounds(b: BoundKwargs): string | undefined {
  const hasMin = b.min_value !== undefined && b.min_value !== null;
  const hasMax = b.max_value !== undefined && b.max_value !== null;
  if (!hasMin && !hasMax) return "needs min_value or max_value (both are missing or null)";
  if (hasMin && hasMax && (b.min_value as number) > (b.max_value as number)) {
    return `min_value ${b.min_value} is greater than max_value ${b.max_value}`;
  }
  return undefined;
}

/**
 * The bounds as a JSON Schema for one numeric value, so per-row range checks run through ajv.
 * Non-numbers (and NaN/Infinity, which ajv rejects as numbers) fail it.
 */
export function boundsValueSchema(b: BoundKwargs): Record<string, unknown> {
  const schema: Record<string, unknown> = { type: "number" };
  if (b.min_value !== undefined && b.min_value !== null) schema[b.strict_min ? "exclusiveMinimum" : "minimum"] = b.min_value;
  if (b.max_value !== undefined && b.max_value !== null) schema[b.strict_max ? "exclusiveMaximum" : "maximum"] = b.max_value;
  return schema;
}
