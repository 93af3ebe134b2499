import { PipelineError } from "../../pipeline/core/errors.js";
import { formatInstant } from "../../pipeline/time/hours.js";
import { defineExpectation } from "../registry.js";
import { columnSchema, kwargsObject } from "../kwargs.js";
import { isMissing } from "../context.js";
import { mapResult } from "../column-map.js";
import { fmtPct, fmtValue } from "../format.js";
import { PARTIAL_LIST_LIMIT } from "../types.js";
import { instantProblem, timeAt } from "./reference-helpers.js";

interface K {
  column: string;
  visible_until: string;
}

/**
 * Custom expectation (not in GE): every time in `column` (epoch ms) is before `visible_until`,
 * the end of what could be known when the batch was taken: as-of minus the publication delay,
 * and never later than the present hour. A row after it is from the future (a mistyped year, a
 * wrong time zone), and storing it would move every later window. Unexpected values are listed
 * as `yyyy-MM-ddTHH:mmZ`.
 */
export const expectColumnValuesToBeVisible = defineExpectation<K>({
  type: "expect_column_values_to_be_visible",
  kwargsSchema: kwargsObject({ column: columnSchema, visible_until: { type: "string", minLength: 1 } }, ["column", "visible_until"]),
  checkKwargs: (k) => instantProblem("visible_until", k.visible_until),
  columns: (k) => [k.column],
  expected: (k) => `before ${k.visible_until}`,
  evaluate(ctx, k) {
    const limit = Date.parse(k.visible_until);
    const values = ctx.values(k.column);
    const n = values.length;
    let missing = 0;
    let unexpected = 0;
    const partial: string[] = [];
    const index: number[] = [];
    for (let i = 0; i < n; i++) {
      if (isMissing(values[i])) {
        missing++;
        continue;
      }
      const t = timeAt(values, i);
      if (t === undefined)
        throw new PipelineError("validate", `column "${k.column}" holds a non-numeric value ${JSON.stringify(values[i])} at row ${i}; expected epoch-ms times`);
      if (t < limit) continue;
      unexpected++;
      if (partial.length < PARTIAL_LIST_LIMIT) {
        partial.push(Math.abs(t) <= 8.64e15 ? formatInstant(t) : String(t));
        index.push(i);
      }
    }
    return { success: unexpected === 0, result: mapResult(n, missing, unexpected, partial, index) };
  },
  describeFailure(k, r) {
    const nonMissing = (r.element_count ?? 0) - (r.missing_count ?? 0);
    return (
      `${r.unexpected_count} of ${nonMissing} rows (${fmtPct(r.unexpected_percent)}) are dated at or after the visible time ${k.visible_until}, ` +
      `e.g. ${fmtValue((r.partial_unexpected_list ?? []).slice(0, 3))}`
    );
  },
});
