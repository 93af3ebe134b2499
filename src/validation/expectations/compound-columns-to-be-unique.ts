import { defineExpectation } from "../registry.js";
import { columnListSchema, kwargsObject, mostlySchema } from "../kwargs.js";
import { mapResult, mostlySuccess } from "../column-map.js";
import { fmtValue } from "../format.js";
import { PARTIAL_LIST_LIMIT } from "../types.js";

type IgnoreRowIf = "all_values_are_missing" | "any_value_is_missing" | "never";

interface K {
  column_list: string[];
  ignore_row_if?: IgnoreRowIf;
  mostly?: number;
}

/**
 * No two rows share the same values in `column_list` (e.g. one value per series and hour). As in
 * GE, every row of a duplicated key is unexpected, and rows whose key is all missing are skipped
 * (`ignore_row_if`). `partial_unexpected_list` holds one object per duplicated key with its row
 * count; `details.duplicate_key_count` counts the keys.
 */
export const expectCompoundColumnsToBeUnique = defineExpectation<K>({
  type: "expect_compound_columns_to_be_unique",
  kwargsSchema: kwargsObject(
    {
      column_list: columnListSchema,
      ignore_row_if: { enum: ["all_values_are_missing", "any_value_is_missing", "never"] },
      mostly: mostlySchema,
    },
    ["column_list"],
  ),
  columns: (k) => k.column_list,
  expected: () => "unique keys",
  evaluate(ctx, k) {
    const cols = k.column_list;
    const { ranks, sorted } = ctx.sortedRanks(cols);
    const missingRank = ranks.map((r) => r.distinct.length);
    const ignoreRule = k.ignore_row_if ?? "all_values_are_missing";
    const n = ctx.rowCount;
    const ignored = (p: number): boolean => {
      if (ignoreRule === "never") return false;
      let missing = 0;
      for (let j = 0; j < cols.length; j++) if (sorted[j][p] === missingRank[j]) missing++;
      return ignoreRule === "any_value_is_missing" ? missing > 0 : missing === cols.length;
    };
    const sameAsPrevious = (p: number): boolean => {
      for (let j = 0; j < cols.length; j++) if (sorted[j][p] !== sorted[j][p - 1]) return false;
      return true;
    };
    let ignoredRows = 0;
    let unexpected = 0;
    let duplicateKeys = 0;
    const partial: Array<Record<string, unknown>> = [];
    let p = 0;
    while (p < n) {
      let end = p + 1;
      while (end < n && sameAsPrevious(end)) end++;
      const size = end - p;
      if (ignored(p)) ignoredRows += size;
      else if (size > 1) {
        unexpected += size;
        duplicateKeys++;
        if (partial.length < PARTIAL_LIST_LIMIT) {
          const key: Record<string, unknown> = {};
          cols.forEach((c, j) => (key[c] = ranks[j].distinct[sorted[j][p]] ?? null));
          key.count = size;
          partial.push(key);
        }
      }
      p = end;
    }
    const result = mapResult(n, ignoredRows, unexpected, partial, []);
    delete result.partial_unexpected_index_list;
    return {
      success: mostlySuccess(unexpected, n - ignoredRows, k.mostly),
      result: { ...result, details: { duplicate_key_count: duplicateKeys } },
    };
  },
  describeFailure(_k, r) {
    const keys = (r.details as { duplicate_key_count: number }).duplicate_key_count;
    const example = (r.partial_unexpected_list ?? [])[0];
    return `${keys} duplicate key${keys === 1 ? "" : "s"} (${r.unexpected_count} rows)${example === undefined ? "" : `, e.g. ${fmtValue(example)}`}`;
  },
});
