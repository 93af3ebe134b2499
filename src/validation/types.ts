/**
 * The shapes of Great Expectations' expectation suites and validation results, as plain JSON
 * types. We keep GE's snake_case field names so suites and results can be read by people (and
 * tools) who know GE, and so a result written to storage looks like the one the reference kept.
 */

/** Keyword arguments of one expectation, as written in the suite file. */
export type Kwargs = Record<string, unknown>;

/** One expectation in a suite: `{ expectation_type, kwargs, meta }`. */
export interface ExpectationConfig {
  expectation_type: string;
  kwargs: Kwargs;
  meta: Record<string, unknown>;
}

/** A GE expectation suite. */
export interface ExpectationSuite {
  expectation_suite_name: string;
  expectations: ExpectationConfig[];
  meta: Record<string, unknown>;
  data_asset_type: string | null;
}

/**
 * What an expectation observed. Column-map expectations (`expect_column_values_*`) fill the
 * counts; aggregate ones fill `observed_value`. Percentages follow GE: `unexpected_percent` is of
 * the non-missing values, `unexpected_percent_total` of all rows.
 */
export interface ExpectationResultDetails {
  observed_value?: unknown;
  element_count?: number;
  missing_count?: number;
  missing_percent?: number | null;
  unexpected_count?: number;
  unexpected_percent?: number | null;
  unexpected_percent_total?: number | null;
  unexpected_percent_nonmissing?: number | null;
  /** At most {@link PARTIAL_LIST_LIMIT} offending values (or small objects for keys and gaps). */
  partial_unexpected_list?: unknown[];
  /** Row indices of the values in `partial_unexpected_list`, where rows are meaningful. */
  partial_unexpected_index_list?: number[];
  details?: Record<string, unknown>;
}

/** How many unexpected values a result lists, as GE's `partial_unexpected_list`. */
export const PARTIAL_LIST_LIMIT = 20;

/** GE's record of an expectation that raised instead of answering. */
export interface ExceptionInfo {
  raised_exception: boolean;
  exception_message: string | null;
  exception_traceback: string | null;
}

/** The outcome of one expectation. */
export interface ExpectationValidationResult {
  success: boolean;
  expectation_config: ExpectationConfig;
  result: ExpectationResultDetails;
  meta: Record<string, unknown>;
  exception_info: ExceptionInfo;
}

/** Counts over all expectations of a run. `success_percent` is null when nothing was evaluated. */
export interface ValidationStatistics {
  evaluated_expectations: number;
  successful_expectations: number;
  unsuccessful_expectations: number;
  success_percent: number | null;
}

/** Run metadata of a validation result. */
export interface ValidationMeta {
  expectation_suite_name: string;
  /** ISO 8601 time of the validation, from the injected clock. */
  validation_time: string;
  run_id?: { run_name: string; run_time: string };
  /** What was validated (file, window, row count...), as given by the caller. */
  batch_spec?: Record<string, unknown>;
}

/** A GE-shaped validation result (`ExpectationSuiteValidationResult`). */
export interface ValidationResult {
  success: boolean;
  statistics: ValidationStatistics;
  results: ExpectationValidationResult[];
  meta: ValidationMeta;
  evaluation_parameters: Record<string, unknown>;
}
