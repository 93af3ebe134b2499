import type { JsonSchema } from "./ajv.js";
import type { ExpectationRegistry } from "./registry.js";

/**
 * JSON Schema of one expectation entry. `kwargs` is only "an object" here: each expectation type
 * checks its own kwargs schema, so an error can name the expectation it belongs to.
 */
export const EXPECTATION_ENTRY_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    expectation_type: { type: "string", minLength: 1 },
    kwargs: { type: "object" },
    meta: { type: "object" },
  },
  required: ["expectation_type", "kwargs"],
  additionalProperties: false,
};

/** JSON Schema of a suite file, in Great Expectations' shape (`ge_cloud_id` accepted and dropped). */
export const SUITE_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    expectation_suite_name: { type: "string", minLength: 1 },
    expectations: { type: "array", items: EXPECTATION_ENTRY_SCHEMA },
    meta: { type: "object" },
    data_asset_type: { type: ["string", "null"] },
    ge_cloud_id: { type: ["string", "null"] },
  },
  required: ["expectation_suite_name", "expectations"],
  additionalProperties: false,
};

/**
 * The complete schema of a suite file for a registry: the entry's `expectation_type` limited to
 * the registered types, and each type's kwargs schema attached with `if`/`then`. For editors and
 * documentation; {@link loadSuite} checks in two steps instead, for clearer messages.
 */
export function suiteJsonSchema(registry: ExpectationRegistry): JsonSchema {
  const types = registry.types();
  const entry: JsonSchema = {
    ...EXPECTATION_ENTRY_SCHEMA,
    properties: {
      ...(EXPECTATION_ENTRY_SCHEMA.properties as Record<string, JsonSchema>),
      expectation_type: { enum: types },
    },
    allOf: types.map((t) => ({
      if: { properties: { expectation_type: { const: t } } },
      then: { properties: { kwargs: registry.get(t)!.kwargsSchema } },
    })),
  };
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Great Expectations expectation suite",
    ...SUITE_SCHEMA,
    properties: { ...(SUITE_SCHEMA.properties as Record<string, JsonSchema>), expectations: { type: "array", items: entry } },
  };
}
