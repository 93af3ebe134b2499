import { defineExpectation } from "../registry.js";
import { kwargsObject } from "../kwargs.js";

interface K {
  value: number;
}

/** The table has exactly `value` columns. */
export const expectTableColumnCountToEqual = defineExpectation<K>({
  type: "expect_table_column_count_to_equal",
  kwargsSchema: kwargsObject({ value: { type: "integer", minimum: 0 } }, ["value"]),
  columns: () => [],
  expected: (k) => `${k.value} columns`,
  evaluate(ctx, k) {
    const count = ctx.columnNames.length;
    return { success: count === k.value, result: { observed_value: count } };
  },
});
