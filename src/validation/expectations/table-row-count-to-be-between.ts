import { defineExpectation } from "../registry.js";
import { boundProperties, kwargsObject, type BoundKwargs } from "../kwargs.js";
import { checkBounds, describeBounds, withinBounds } from "../bounds.js";

/** The table's row count lies within the bounds (e.g. `min_value: 1`: the extract is not empty). */
export const expectTableRowCountToBeBetween = defineExpectation<BoundKwargs>({
  type: "expect_table_row_count_to_be_between",
  kwargsSchema: kwargsObject(boundProperties, []),
  checkKwargs: checkBounds,
  columns: () => [],
  expected: (k) => `row count ${describeBounds(k)}`,
  evaluate(ctx, k) {
    const rows = ctx.rowCount;
    return { success: withinBounds(rows, k), result: { observed_value: rows } };
  },
});
