import { PipelineError } from "../../pipeline/core/errors.js";
import { formatInstant } from "../../pipeline/time/hours.js";
import { defineExpectation } from "../registry.js";
import { columnSchema, kwargsObject } from "../kwargs.js";
import { isMissing, type RowSeries } from "../context.js";
import { mapResult } from "../column-map.js";
import { fmtValue } from "../format.js";
import { PARTIAL_LIST_LIMIT } from "../types.js";
import { rowGroup, timeAt } from "./reference-helpers.js";

/** The largest finite float32: beyond it a value is not a measurement whatever the series. */
export const FLOAT32_MAX = 3.4028234663852886e38;

interface K {
  column: string;
  group_by: string[];
  max_ratio: number;
  absolute_max: number;
  time_column?: string;
}

/** How a series' values are bounded. */
interface Bound {
  limit: number;
  basis: string;
}

/**
 * Custom expectation (not in GE): every value of `column` is plausible for its series (`group_by`).
 * A value is unexpected when it is not finite, when its magnitude exceeds `absolute_max` (ingest
 * passes float32's largest value: always refused), or when it exceeds `max_ratio` times the
 * series' scale: its largest stored value (from the validation's `reference`), or for a series
 * the store does not hold (or holds only zeros) the median of its values in the batch. A
 * `max_ratio` of 0 turns the relative bound off. Each listed value is
 * `{ ...key, [time_column], value, limit, basis }` (a non-finite value as text, so results stay JSON).
 */
export const expectColumnValuesToBePlausible = defineExpectation<K>({
  type: "expect_column_values_to_be_plausible",
  kwargsSchema: kwargsObject(
    {
      column: columnSchema,
      group_by: { type: "array", items: columnSchema, uniqueItems: true },
      max_ratio: { type: "number", minimum: 0 },
      absolute_max: { type: "number", exclusiveMinimum: 0 },
      time_column: columnSchema,
    },
    ["column", "group_by", "max_ratio", "absolute_max"],
  ),
  checkKwargs: (k) => (k.max_ratio > 0 && k.max_ratio < 1 ? `max_ratio must be 0 (off) or at least 1, got ${k.max_ratio}` : undefined),
  columns: (k) => [k.column, ...k.group_by],
  expected: (k) => `${k.max_ratio > 0 ? `at most ${k.max_ratio} x the series' largest stored value (or batch median) and ` : ""}within +-${k.absolute_max}`,
  evaluate(ctx, k) {
    const values = ctx.values(k.column);
    const groups = k.group_by.map((c) => ctx.values(c));
    const times = k.time_column === undefined ? undefined : ctx.values(k.time_column);
    const n = ctx.rowCount;
    const series = ctx.series(k.group_by);
    const bounds = k.max_ratio > 0 ? seriesBounds(values, series, k, ctx.reference?.series) : new Array<Bound | undefined>(series.ids.length);
    let missing = 0;
    let unexpected = 0;
    const partial: Array<Record<string, unknown>> = [];
    const index: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (isMissing(v)) {
        missing++;
        continue;
      }
      if (typeof v !== "number")
        throw new PipelineError("validate", `column "${k.column}" holds a non-numeric value ${JSON.stringify(v)} at row ${i}; expected numbers`);
      const bound: Bound | undefined = !(Math.abs(v) <= k.absolute_max) ? { limit: k.absolute_max, basis: "absolute_max" } : bounds[series.index[i]];
      if (bound === undefined || (Number.isFinite(v) && Math.abs(v) <= bound.limit)) continue;
      unexpected++;
      if (partial.length < PARTIAL_LIST_LIMIT) {
        const at = times === undefined ? undefined : timeAt(times, i);
        partial.push({
          ...rowGroup(k.group_by, groups, i),
          ...(at === undefined ? {} : { [k.time_column!]: formatInstant(at) }),
          value: Number.isFinite(v) ? v : String(v),
          limit: bound.limit,
          basis: bound.basis,
        });
        index.push(i);
      }
    }
    let stored = 0;
    let median = 0;
    for (const b of bounds) {
      if (b === undefined) continue;
      if (b.basis.includes("stored")) stored++;
      else median++;
    }
    return {
      success: unexpected === 0,
      result: {
        ...mapResult(n, missing, unexpected, partial, index),
        details: { series_bounded_by_stored_max: stored, series_bounded_by_batch_median: median },
      },
    };
  },
  describeFailure(_k, r) {
    const nonMissing = (r.element_count ?? 0) - (r.missing_count ?? 0);
    return `${r.unexpected_count} of ${nonMissing} values are implausible, e.g. ${fmtValue((r.partial_unexpected_list ?? []).slice(0, 3))}`;
  },
});

/**
 * The relative bound of each series of the batch: `max_ratio` x its largest stored value when the
 * store holds it above 0, else `max_ratio` x the median of its values in the batch when that is
 * above 0 (else none: only `absolute_max` applies).
 */
function seriesBounds(
  values: ArrayLike<unknown>,
  series: RowSeries,
  k: K,
  stored: ReadonlyMap<string, { max: number | null }> | undefined,
): Array<Bound | undefined> {
  const count = series.ids.length;
  const out = new Array<Bound | undefined>(count);
  const byStored = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    const max = stored?.get(series.ids[s])?.max;
    if (max !== undefined && max !== null && max > 0) {
      out[s] = { limit: k.max_ratio * max, basis: `${k.max_ratio} x stored max ${max}` };
      byStored[s] = 1;
    }
  }
  // The finite batch values of the other series, grouped by series in one typed array.
  const index = series.index;
  const n = index.length;
  const start = new Uint32Array(count + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (byStored[index[i]] === 0 && typeof v === "number" && Number.isFinite(v)) start[index[i] + 1]++;
  }
  for (let s = 0; s < count; s++) start[s + 1] += start[s];
  const batch = new Float64Array(start[count]);
  const fill = start.slice(0, count);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (byStored[index[i]] === 0 && typeof v === "number" && Number.isFinite(v)) batch[fill[index[i]]++] = v;
  }
  for (let s = 0; s < count; s++) {
    if (byStored[s] === 1 || start[s + 1] === start[s]) continue;
    const m = median(batch.subarray(start[s], start[s + 1]));
    if (m > 0) out[s] = { limit: k.max_ratio * m, basis: `${k.max_ratio} x batch median ${m}` };
  }
  return out;
}

/** The median of `values`, sorting them in place. */
function median(values: Float64Array): number {
  const sorted = values.sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
