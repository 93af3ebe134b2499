import { PipelineError } from "../../pipeline/core/errors.js";
import { formatInstant } from "../../pipeline/time/hours.js";
import { defineExpectation } from "../registry.js";
import { columnSchema, kwargsObject } from "../kwargs.js";
import { isMissing } from "../context.js";
import { fmtValue } from "../format.js";
import { PARTIAL_LIST_LIMIT } from "../types.js";
import { instantProblem, rowGroup, timeAt } from "./reference-helpers.js";

interface K {
  column: string;
  group_by: string[];
  step_ms: number;
  continue_from: string;
  visible_until?: string;
}

/**
 * Custom expectation (not in GE): a batch continues the stored series without a gap. Every series
 * of the batch whose last stored hour (from the validation's `reference`) is at or after
 * `continue_from` minus one step must start in the batch no later than one step after that hour.
 * Ingest sets `continue_from` to the first hour this batch could have covered: the start of its
 * extraction window, or the hour after the store's latest when the window starts later (a window
 * that skips hours leaves a gap in every live series). A series that had stopped before that,
 * and one the store does not hold, may start anywhere (series come and go).
 *
 * `unexpected_count` counts series with a gap; each listed gap is `{ ...key, last_stored,
 * first_in_batch, missing_steps }`; `details.fill` is the span of missing hours, for the fix.
 * Without a reference (a store that holds nothing) it passes. Rows at or after `visible_until`
 * (when given) are left to `expect_column_values_to_be_visible`: a row from the future is one
 * refusal, not also a gap.
 */
export const expectColumnValuesToContinueStoredSeries = defineExpectation<K>({
  type: "expect_column_values_to_continue_stored_series",
  kwargsSchema: kwargsObject(
    {
      column: columnSchema,
      group_by: { type: "array", items: columnSchema, uniqueItems: true },
      step_ms: { type: "integer", exclusiveMinimum: 0 },
      continue_from: { type: "string", minLength: 1 },
      visible_until: { type: "string", minLength: 1 },
    },
    ["column", "group_by", "step_ms", "continue_from"],
  ),
  checkKwargs: (k) =>
    k.group_by.includes(k.column)
      ? `group_by must not contain the column "${k.column}" itself`
      : (instantProblem("continue_from", k.continue_from) ?? (k.visible_until === undefined ? undefined : instantProblem("visible_until", k.visible_until))),
  columns: (k) => [k.column, ...k.group_by],
  expected: (k) => `each stored series continued without a gap from ${k.continue_from}`,
  evaluate(ctx, k) {
    const times = ctx.values(k.column);
    const groups = k.group_by.map((c) => ctx.values(c));
    const n = ctx.rowCount;
    const series = ctx.series(k.group_by);
    const count = series.ids.length;
    // The first hour of each series in the batch and a row that holds it (-1: none yet), and the
    // order in which series were first seen, as a Map keyed by series would iterate them.
    const firstT = new Float64Array(count);
    const firstRow = new Int32Array(count).fill(-1);
    const seenOrder: number[] = [];
    const until = k.visible_until === undefined ? Infinity : Date.parse(k.visible_until);
    for (let i = 0; i < n; i++) {
      if (isMissing(times[i])) continue;
      const t = timeAt(times, i);
      if (t === undefined)
        throw new PipelineError(
          "validate",
          `column "${k.column}" holds a non-numeric value ${JSON.stringify(times[i])} at row ${i}; continuity needs epoch-ms numbers`,
        );
      if (t >= until) continue;
      const s = series.index[i];
      if (firstRow[s] === -1) seenOrder.push(s);
      else if (!(t < firstT[s])) continue;
      firstT[s] = t;
      firstRow[s] = i;
    }
    const from = Date.parse(k.continue_from);
    const stored = ctx.reference?.series;
    let checked = 0;
    let gaps = 0;
    let missingSteps = 0;
    let fillFrom = Infinity;
    let fillUntil = -Infinity;
    const partial: Array<Record<string, unknown>> = [];
    for (const f of seenOrder) {
      const t = firstT[f];
      const row = firstRow[f];
      const s = stored?.get(series.ids[f]);
      if (s === undefined || s.last < from - k.step_ms) continue;
      checked++;
      if (t <= s.last + k.step_ms) continue;
      gaps++;
      const missing = (t - s.last) / k.step_ms - 1;
      missingSteps += missing;
      fillFrom = Math.min(fillFrom, s.last + k.step_ms);
      fillUntil = Math.max(fillUntil, t);
      if (partial.length < PARTIAL_LIST_LIMIT) {
        partial.push({ ...rowGroup(k.group_by, groups, row), last_stored: formatInstant(s.last), first_in_batch: formatInstant(t), missing_steps: missing });
      }
    }
    return {
      success: gaps === 0,
      result: {
        observed_value: gaps,
        element_count: checked,
        unexpected_count: gaps,
        partial_unexpected_list: partial,
        details: {
          stored_series: stored?.size ?? 0,
          series_checked: checked,
          series_with_gap: gaps,
          missing_steps: missingSteps,
          ...(gaps > 0 ? { fill: [formatInstant(fillFrom), formatInstant(fillUntil)] } : {}),
        },
      },
    };
  },
  describeFailure(_k, r) {
    const d = r.details as { series_with_gap: number; series_checked: number; missing_steps: number; fill: [string, string] };
    const example = (r.partial_unexpected_list ?? [])[0];
    return (
      `${d.series_with_gap} of ${d.series_checked} stored series would be left with a gap after their last stored hour: ` +
      `the hours ${d.fill[0]}..${d.fill[1]} are missing (${d.missing_steps} steps in all)${example === undefined ? "" : `, e.g. ${fmtValue(example)}`}`
    );
  },
});
