import type { ColumnTable } from "arquero";
import { systemClock, type Clock } from "../pipeline/core/effects.js";
import { ValidationContext } from "./context.js";
import { defaultRegistry } from "./expectations/index.js";
import { loadSuite } from "./load-suite.js";
import type { ExpectationRegistry } from "./registry.js";
import type { SeriesReference } from "./reference.js";
import type { ExpectationConfig, ExpectationSuite, ExpectationValidationResult, ValidationResult } from "./types.js";

/** Options of {@link validate}. */
export interface ValidateOptions {
  /**
   * Declared column types (`int8`, `int32`, `float64`, `timestamp`, `utf8`...), e.g. from the
   * parquet schema or the ingest transform. Columns not listed have their type inferred.
   */
  columnTypes?: Record<string, string>;
  /** Time of the validation; otherwise taken from `clock`. */
  now?: Date;
  /** Clock for `validation_time` when `now` is not given (default: the system clock). */
  clock?: Clock;
  /** Names the run in `meta.run_id`. */
  runName?: string;
  /** Describes the data validated (source file, window, ...), copied to `meta.batch_spec`. */
  batch?: Record<string, unknown>;
  /** Expectation types available (default: the built-in ones). */
  registry?: ExpectationRegistry;
  /**
   * What the store already holds per series, for the expectations that check a batch against it
   * (`expect_column_values_to_continue_stored_series`, `expect_column_values_to_be_plausible`).
   * Without it those expectations take the store as empty.
   */
  reference?: SeriesReference;
}

/**
 * Checks a table against a suite and returns a GE-shaped report; it never throws for bad data.
 * An expectation that raises (a missing column, say) fails with `exception_info` filled in. Only
 * a malformed suite throws (`ConfigError`), since then nothing meaningful can be reported.
 * Use {@link assertValid} to turn a failed report into an error.
 */
export function validate(table: ColumnTable, suite: ExpectationSuite, options: ValidateOptions = {}): ValidationResult {
  const registry = options.registry ?? defaultRegistry;
  // Suites built in code skip loadSuite; checking again is cheap and keeps evaluate's kwargs trustworthy.
  const checked = loadSuite(suite, `"${suite.expectation_suite_name}"`, registry);
  const time = (options.now ?? (options.clock ?? systemClock).now()).toISOString();
  const ctx = new ValidationContext(table, options.columnTypes ?? {}, options.reference);
  const results = checked.expectations.map((config) => runOne(ctx, config, registry));
  const successful = results.filter((r) => r.success).length;
  const evaluated = results.length;
  return {
    success: successful === evaluated,
    statistics: {
      evaluated_expectations: evaluated,
      successful_expectations: successful,
      unsuccessful_expectations: evaluated - successful,
      success_percent: evaluated === 0 ? null : (successful / evaluated) * 100,
    },
    results,
    meta: {
      expectation_suite_name: checked.expectation_suite_name,
      validation_time: time,
      ...(options.runName !== undefined ? { run_id: { run_name: options.runName, run_time: time } } : {}),
      ...(options.batch !== undefined ? { batch_spec: structuredClone(options.batch) } : {}),
    },
    evaluation_parameters: {},
  };
}

function runOne(ctx: ValidationContext, config: ExpectationConfig, registry: ExpectationRegistry): ExpectationValidationResult {
  // loadSuite has checked that the type is registered and the kwargs fit its schema.
  const def = registry.get(config.expectation_type)!;
  try {
    const outcome = def.evaluate(ctx, config.kwargs);
    return {
      success: outcome.success,
      expectation_config: config,
      result: outcome.result,
      meta: outcome.meta ?? {},
      exception_info: { raised_exception: false, exception_message: null, exception_traceback: null },
    };
  } catch (error) {
    return {
      success: false,
      expectation_config: config,
      result: {},
      meta: {},
      exception_info: {
        raised_exception: true,
        exception_message: error instanceof Error ? error.message : String(error),
        exception_traceback: error instanceof Error ? (error.stack ?? null) : null,
      },
    };
  }
}
