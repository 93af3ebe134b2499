import { ValidationFailedError } from "../pipeline/core/errors.js";
import { defaultRegistry } from "./expectations/index.js";
import { fmtPct, fmtValue } from "./format.js";
import type { ExpectationRegistry } from "./registry.js";
import type { ExpectationValidationResult, ValidationResult } from "./types.js";

/** The expectations of a result that failed (including those that raised). */
export function failedExpectations(result: ValidationResult): ExpectationValidationResult[] {
  return result.results.filter((r) => !r.success);
}

/** `expect_x(col_a, col_b)`, or just the type for table-level expectations. */
export function expectationLabel(r: ExpectationValidationResult, registry: ExpectationRegistry = defaultRegistry): string {
  const { expectation_type: type, kwargs } = r.expectation_config;
  const def = registry.get(type);
  const cols = def ? def.columns(kwargs) : typeof kwargs.column === "string" ? [kwargs.column] : [];
  return cols.length > 0 ? `${type}(${cols.join(", ")})` : type;
}

/**
 * One failed expectation as a phrase, e.g.
 * `expect_column_min_to_be_between(energy_consumption) observed -5, expected >= 0`.
 */
export function describeFailure(r: ExpectationValidationResult, registry: ExpectationRegistry = defaultRegistry): string {
  const label = expectationLabel(r, registry);
  if (r.exception_info.raised_exception) return `${label} raised: ${r.exception_info.exception_message}`;
  const def = registry.get(r.expectation_config.expectation_type);
  const kwargs = r.expectation_config.kwargs;
  if (def?.describeFailure) return `${label} ${def.describeFailure(kwargs, r.result)}`;
  const expected = def ? def.expected(kwargs) : JSON.stringify(kwargs);
  const res = r.result;
  if (res.unexpected_count !== undefined) {
    const nonMissing = (res.element_count ?? 0) - (res.missing_count ?? 0);
    const mostly = typeof kwargs.mostly === "number" && kwargs.mostly < 1 ? ` for at least ${kwargs.mostly * 100}% of values` : "";
    return `${label} ${res.unexpected_count} of ${nonMissing} non-null values unexpected (${fmtPct(res.unexpected_percent)}), e.g. ${fmtValue((res.partial_unexpected_list ?? []).slice(0, 3))}; expected ${expected}${mostly}`;
  }
  return `${label} observed ${fmtValue(res.observed_value)}, expected ${expected}`;
}

/**
 * Throws {@link ValidationFailedError} when the result failed, listing every failed expectation:
 * `validate: 2 of 14 expectations failed for <what>: ...; ...; fix the source data or the suite`.
 * `fix` replaces the closing advice when the caller knows better (ingest names the window that
 * fills a gap, say).
 */
export function assertValid(
  result: ValidationResult,
  what: string,
  registry: ExpectationRegistry = defaultRegistry,
  fix = "fix the source data or the suite",
): void {
  const failed = failedExpectations(result);
  if (failed.length === 0) return;
  const items = failed.map((r) => describeFailure(r, registry));
  throw new ValidationFailedError(
    `${failed.length} of ${result.statistics.evaluated_expectations} expectations failed for ${what}: ${items.join("; ")}; ${fix}`,
  );
}
