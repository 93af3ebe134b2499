import { defineExpectation } from "../registry.js";
import { columnSchema, kwargsObject, mostlySchema } from "../kwargs.js";
import { isMissing } from "../context.js";
import { mostlySuccess } from "../column-map.js";
import { PARTIAL_LIST_LIMIT } from "../types.js";
import { fmtPct } from "../format.js";

interface K {
  column: string;
  mostly?: number;
}

function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : (part / whole) * 100;
}

/**
 * No missing values (null, undefined, NaN). As in GE, the missing values are the unexpected
 * ones here, so the result has no `missing_count` and percentages are of all rows. The check is
 * a plain null test in code: a JSON Schema cannot see `undefined` or NaN.
 */
export const expectColumnValuesToNotBeNull = defineExpectation<K>({
  type: "expect_column_values_to_not_be_null",
  kwargsSchema: kwargsObject({ column: columnSchema, mostly: mostlySchema }, ["column"]),
  columns: (k) => [k.column],
  expected: (k) => (k.mostly !== undefined && k.mostly < 1 ? `at least ${k.mostly * 100}% not null` : "no nulls"),
  evaluate(ctx, k) {
    const values = ctx.values(k.column);
    const n = values.length;
    let nulls = 0;
    const partialIndex: number[] = [];
    for (let i = 0; i < n; i++) {
      if (isMissing(values[i])) {
        nulls++;
        if (partialIndex.length < PARTIAL_LIST_LIMIT) partialIndex.push(i);
      }
    }
    return {
      success: mostlySuccess(nulls, n, k.mostly),
      result: {
        element_count: n,
        unexpected_count: nulls,
        unexpected_percent: percent(nulls, n),
        unexpected_percent_total: percent(nulls, n),
        // GE lists the nulls themselves; NaN and undefined have no JSON form, so all show as null.
        partial_unexpected_list: partialIndex.map(() => null),
        partial_unexpected_index_list: partialIndex,
      },
    };
  },
  describeFailure: (_k, r) =>
    `${r.unexpected_count} of ${r.element_count} values are null (${fmtPct(r.unexpected_percent)}), e.g. at rows ${JSON.stringify((r.partial_unexpected_index_list ?? []).slice(0, 3))}`,
});
