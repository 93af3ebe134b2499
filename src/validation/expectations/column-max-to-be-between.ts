import { defineExpectation } from "../registry.js";
import { boundProperties, columnSchema, kwargsObject, type BoundKwargs } from "../kwargs.js";
import { checkBounds, describeBounds, withinBounds } from "../bounds.js";
import { columnExtreme } from "../column-extreme.js";

interface K extends BoundKwargs {
  column: string;
}

/** The column's maximum (over non-missing values) lies within the bounds; an all-missing column fails. */
export const expectColumnMaxToBeBetween = defineExpectation<K>({
  type: "expect_column_max_to_be_between",
  kwargsSchema: kwargsObject({ column: columnSchema, ...boundProperties }, ["column"]),
  checkKwargs: checkBounds,
  columns: (k) => [k.column],
  expected: (k) => describeBounds(k),
  evaluate(ctx, k) {
    const observed = columnExtreme(ctx.values(k.column), k.column, "max");
    return { success: observed !== null && withinBounds(observed, k), result: { observed_value: observed } };
  },
});
