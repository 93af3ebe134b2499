import { defineExpectation } from "../registry.js";
import { columnListSchema, kwargsObject } from "../kwargs.js";

interface K {
  column_list: string[];
}

/** The table has exactly these columns, in this order (the reference's first expectation). */
export const expectTableColumnsToMatchOrderedList = defineExpectation<K>({
  type: "expect_table_columns_to_match_ordered_list",
  kwargsSchema: kwargsObject({ column_list: columnListSchema }, ["column_list"]),
  columns: () => [],
  expected: (k) => `[${k.column_list.join(", ")}]`,
  evaluate(ctx, k) {
    const found = ctx.columnNames;
    const mismatched: Array<Record<string, unknown>> = [];
    for (let i = 0; i < Math.max(found.length, k.column_list.length); i++) {
      if (found[i] !== k.column_list[i]) {
        mismatched.push({ "Expected Column Position": i, Expected: k.column_list[i] ?? null, Found: found[i] ?? null });
      }
    }
    return {
      success: mismatched.length === 0,
      result: { observed_value: found, ...(mismatched.length > 0 ? { details: { mismatched } } : {}) },
    };
  },
});
