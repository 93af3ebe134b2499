import { isMissing } from "./context.js";
import { PARTIAL_LIST_LIMIT, type ExpectationResultDetails } from "./types.js";

/**
 * GE's `mostly` rule: success when at least `mostly` of the non-missing values are expected,
 * i.e. unexpected_percent <= (1 - mostly) * 100. With no non-missing values there is nothing to
 * contradict the expectation, and GE calls that a success.
 */
export function mostlySuccess(unexpected: number, nonMissing: number, mostly = 1): boolean {
  if (nonMissing === 0) return true;
  return (nonMissing - unexpected) / nonMissing >= mostly;
}

function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : (part / whole) * 100;
}

/** A column-map result from counts, in GE's field order. */
export function mapResult(
  elementCount: number,
  missingCount: number,
  unexpectedCount: number,
  partial: unknown[],
  partialIndex: number[],
): ExpectationResultDetails {
  const nonMissing = elementCount - missingCount;
  return {
    element_count: elementCount,
    missing_count: missingCount,
    missing_percent: percent(missingCount, elementCount),
    unexpected_count: unexpectedCount,
    unexpected_percent: percent(unexpectedCount, nonMissing),
    unexpected_percent_total: percent(unexpectedCount, elementCount),
    unexpected_percent_nonmissing: percent(unexpectedCount, nonMissing),
    partial_unexpected_list: partial,
    partial_unexpected_index_list: partialIndex,
  };
}

/**
 * Runs a per-value test over a column: missing values are counted and skipped, the rest go
 * through `test` (an ajv validator compiled once). Loops over the array with index access; only
 * the first {@link PARTIAL_LIST_LIMIT} unexpected values are kept.
 */
export function evaluateColumnMap(
  values: ArrayLike<unknown>,
  test: (v: unknown) => boolean,
  mostly: number | undefined,
): { success: boolean; result: ExpectationResultDetails } {
  const n = values.length;
  let missing = 0;
  let unexpected = 0;
  const partial: unknown[] = [];
  const partialIndex: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (isMissing(v)) {
      missing++;
    } else if (!test(v)) {
      unexpected++;
      if (partial.length < PARTIAL_LIST_LIMIT) {
        partial.push(v);
        partialIndex.push(i);
      }
    }
  }
  return { success: mostlySuccess(unexpected, n - missing, mostly), result: mapResult(n, missing, unexpected, partial, partialIndex) };
}
