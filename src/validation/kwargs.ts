import type { JsonSchema } from "./ajv.js";

/**
 * Building blocks of kwargs schemas, shared so every expectation spells `column`, `mostly` and
 * the GE bound keywords the same way.
 */

/** A column name. */
export const columnSchema: JsonSchema = { type: "string", minLength: 1 };

/** A non-empty list of distinct column names. */
export const columnListSchema: JsonSchema = { type: "array", items: columnSchema, minItems: 1, uniqueItems: true };

/** GE's `mostly`: the fraction of non-missing values that must meet the expectation, in (0, 1]. */
export const mostlySchema: JsonSchema = { type: "number", exclusiveMinimum: 0, maximum: 1 };

/** GE's bound kwargs: `min_value`, `max_value` (number or null), `strict_min`, `strict_max`. */
export const boundProperties: Record<string, JsonSchema> = {
  min_value: { type: ["number", "null"] },
  max_value: { type: ["number", "null"] },
  strict_min: { type: "boolean" },
  strict_max: { type: "boolean" },
};

/** Kwargs carrying GE bounds. */
export interface BoundKwargs {
  min_value?: number | null;
  max_value?: number | null;
  strict_min?: boolean;
  strict_max?: boolean;
}

/** Object schema with the given properties, all listed ones required, nothing else allowed. */
export function kwargsObject(properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return { type: "object", properties, required, additionalProperties: false };
}
