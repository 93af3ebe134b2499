import { defineExpectation } from "../registry.js";
import { columnSchema, kwargsObject, mostlySchema } from "../kwargs.js";
import { compileValueCheck } from "../ajv.js";
import { evaluateColumnMap } from "../column-map.js";
import { fmtValue } from "../format.js";

interface K {
  column: string;
  value_set: Array<string | number | boolean>;
  mostly?: number;
}

/** Every non-missing value is one of `value_set` (checked per value by an ajv `enum`). */
export const expectColumnValuesToBeInSet = defineExpectation<K>({
  type: "expect_column_values_to_be_in_set",
  kwargsSchema: kwargsObject(
    {
      column: columnSchema,
      value_set: { type: "array", items: { type: ["string", "number", "boolean"] }, minItems: 1, uniqueItems: true },
      mostly: mostlySchema,
    },
    ["column", "value_set"],
  ),
  columns: (k) => [k.column],
  expected: (k) => `in ${fmtValue(k.value_set, 12)}`,
  evaluate(ctx, k) {
    return evaluateColumnMap(ctx.values(k.column), compileValueCheck({ enum: k.value_set }), k.mostly);
  },
});
