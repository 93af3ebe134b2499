import { defineExpectation } from "../registry.js";
import { columnSchema, kwargsObject } from "../kwargs.js";
import { fmtValue } from "../format.js";
import { PARTIAL_LIST_LIMIT } from "../types.js";

interface K {
  column: string;
  value_set: Array<string | number | boolean>;
}

/**
 * The column's distinct non-missing values all belong to `value_set` (GE: the set of observed
 * values is a subset). `observed_value` is the sorted distinct values; `details.value_counts`
 * their counts, `details.unexpected_values` the ones outside the set.
 */
export const expectColumnDistinctValuesToBeInSet = defineExpectation<K>({
  type: "expect_column_distinct_values_to_be_in_set",
  kwargsSchema: kwargsObject(
    {
      column: columnSchema,
      value_set: { type: "array", items: { type: ["string", "number", "boolean"] }, minItems: 1, uniqueItems: true },
    },
    ["column", "value_set"],
  ),
  columns: (k) => [k.column],
  expected: (k) => `in ${fmtValue(k.value_set, 12)}`,
  evaluate(ctx, k) {
    const { codes, distinct } = ctx.ranks(k.column);
    const counts = new Array<number>(distinct.length + 1).fill(0);
    for (let i = 0; i < codes.length; i++) counts[codes[i]]++;
    const allowed = new Set<unknown>(k.value_set);
    const unexpected = distinct.filter((v) => !allowed.has(v));
    return {
      success: unexpected.length === 0,
      result: {
        observed_value: distinct,
        details: {
          value_counts: distinct.map((value, i) => ({ value, count: counts[i] })),
          unexpected_values: unexpected.slice(0, PARTIAL_LIST_LIMIT),
        },
      },
    };
  },
  describeFailure(_k, r) {
    const d = r.details as { unexpected_values: unknown[] };
    const observed = r.observed_value as unknown[];
    return `${d.unexpected_values.length} distinct value(s) not in the expected set: ${fmtValue(d.unexpected_values)} (${observed.length} distinct values observed)`;
  },
});
