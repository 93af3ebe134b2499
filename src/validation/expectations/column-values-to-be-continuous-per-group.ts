import { PipelineError } from "../../pipeline/core/errors.js";
import { defineExpectation } from "../registry.js";
import { columnSchema, kwargsObject, mostlySchema } from "../kwargs.js";
import { mapResult, mostlySuccess } from "../column-map.js";
import { fmtValue } from "../format.js";
import { PARTIAL_LIST_LIMIT } from "../types.js";

interface K {
  column: string;
  group_by: string[];
  step_ms: number;
  mostly?: number;
}

function iso(ms: number): string | number {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : ms;
}

/**
 * Custom expectation (not in GE): within each group (e.g. each series), consecutive distinct
 * values of `column` (epoch ms) are exactly `step_ms` apart, so the series has no missing hour.
 * A row is unexpected when the gap before it is not one step, so `unexpected_count` counts gaps;
 * each listed gap is `{ ...group, after, before, missing_steps }`. Repeated timestamps are left to
 * `expect_compound_columns_to_be_unique`, and a series' ends are not checked (the window is).
 */
export const expectColumnValuesToBeContinuousPerGroup = defineExpectation<K>({
  type: "expect_column_values_to_be_continuous_per_group",
  kwargsSchema: kwargsObject(
    {
      column: columnSchema,
      group_by: { type: "array", items: columnSchema, uniqueItems: true },
      step_ms: { type: "integer", exclusiveMinimum: 0 },
      mostly: mostlySchema,
    },
    ["column", "group_by", "step_ms"],
  ),
  checkKwargs: (k) => (k.group_by.includes(k.column) ? `group_by must not contain the column "${k.column}" itself` : undefined),
  columns: (k) => [k.column, ...k.group_by],
  expected: (k) => `a value every ${k.step_ms} ms${k.group_by.length > 0 ? ` per (${k.group_by.join(", ")})` : ""}`,
  evaluate(ctx, k) {
    const cols = [...k.group_by, k.column];
    const { ranks, sorted } = ctx.sortedRanks(cols);
    const g = k.group_by.length;
    const times = ranks[g].distinct;
    const bad = times.find((t) => typeof t !== "number");
    if (bad !== undefined) {
      throw new PipelineError("validate", `column "${k.column}" holds a non-numeric value ${JSON.stringify(bad)}; continuity needs epoch-ms numbers`);
    }
    const t = times as number[];
    const missingTime = t.length;
    const tr = sorted[g];
    const n = ctx.rowCount;
    let missing = 0;
    let gaps = 0;
    let missingSteps = 0;
    let groups = 0;
    const partial: Array<Record<string, unknown>> = [];
    for (let p = 0; p < n; p++) {
      let sameGroup = p > 0;
      for (let j = 0; j < g && sameGroup; j++) if (sorted[j][p] !== sorted[j][p - 1]) sameGroup = false;
      if (!sameGroup) groups++;
      if (tr[p] === missingTime) {
        missing++;
        continue;
      }
      if (!sameGroup || tr[p - 1] === missingTime) continue;
      const diff = t[tr[p]] - t[tr[p - 1]];
      if (diff === 0 || diff === k.step_ms) continue;
      gaps++;
      missingSteps += diff / k.step_ms - 1;
      if (partial.length < PARTIAL_LIST_LIMIT) {
        const gap: Record<string, unknown> = {};
        for (let j = 0; j < g; j++) gap[k.group_by[j]] = ranks[j].distinct[sorted[j][p]] ?? null;
        gap.after = iso(t[tr[p - 1]]);
        gap.before = iso(t[tr[p]]);
        gap.missing_steps = diff / k.step_ms - 1;
        partial.push(gap);
      }
    }
    const result = mapResult(n, missing, gaps, partial, []);
    // Sorted positions are not row numbers; listing them would mislead.
    delete result.partial_unexpected_index_list;
    return {
      success: mostlySuccess(gaps, n - missing, k.mostly),
      result: { ...result, details: { groups, gaps, missing_steps: missingSteps } },
    };
  },
  describeFailure(_k, r) {
    const d = r.details as { gaps: number; missing_steps: number };
    const example = (r.partial_unexpected_list ?? [])[0];
    return `${d.gaps} gap${d.gaps === 1 ? "" : "s"} (${d.missing_steps} missing steps)${example === undefined ? "" : `, e.g. ${fmtValue(example)}`}`;
  },
});
