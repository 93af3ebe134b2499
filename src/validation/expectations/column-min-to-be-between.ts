import { defineExpectation } from "../registry.js";
import { boundProperties, columnSchema, kwargsObject, type BoundKwargs } from "../kwargs.js";
import { checkBounds, describeBounds, withinBounds } from "../bounds.js";
import { columnExtreme } from "../column-extreme.js";

interface K extends BoundKwargs {
  column: string;
}

/** The column's minimum (over non-missing values) lies within the bounds; an all-missing column fails. */
export const expectColumnMinToBeBetween = defineExpectation<K>({
  type: "expect_column_min_to_be_between",
  kwargsSchema: kwargsObject({ column: columnSchema, ...boundProperties }, ["column"]),
  checkKwargs: checkBounds,
  columns: (k) => [k.column],
  expected: (k) => describeBounds(k),
  evaluate(ctx, k) {
    const observed = columnExtreme(ctx.values(k.column), k.column, "min");
    return { success: observed !== null && withinBounds(observed, k), result: { observed_value: observed } };
  },
});
