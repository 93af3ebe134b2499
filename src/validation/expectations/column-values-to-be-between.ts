import { defineExpectation } from "../registry.js";
import { boundProperties, columnSchema, kwargsObject, mostlySchema, type BoundKwargs } from "../kwargs.js";
import { compileValueCheck } from "../ajv.js";
import { evaluateColumnMap } from "../column-map.js";
import { boundsValueSchema, checkBounds, describeBounds } from "../bounds.js";

interface K extends BoundKwargs {
  column: string;
  mostly?: number;
}

/** Every non-missing value is a number within the bounds (checked per value by an ajv schema). */
export const expectColumnValuesToBeBetween = defineExpectation<K>({
  type: "expect_column_values_to_be_between",
  kwargsSchema: kwargsObject({ column: columnSchema, ...boundProperties, mostly: mostlySchema }, ["column"]),
  checkKwargs: checkBounds,
  columns: (k) => [k.column],
  expected: (k) => describeBounds(k),
  evaluate(ctx, k) {
    return evaluateColumnMap(ctx.values(k.column), compileValueCheck(boundsValueSchema(k)), k.mostly);
  },
});
