/**
 * Data contracts in Great Expectations' shape: suites are GE JSON files checked with ajv, row
 * checks run through ajv schemas compiled once per expectation, aggregate checks run in code over
 * column arrays, and results come out as GE validation results.
 */
export type {
  ExceptionInfo,
  ExpectationConfig,
  ExpectationResultDetails,
  ExpectationSuite,
  ExpectationValidationResult,
  Kwargs,
  ValidationMeta,
  ValidationResult,
  ValidationStatistics,
} from "./types.js";
export { PARTIAL_LIST_LIMIT } from "./types.js";
export { loadSuite } from "./load-suite.js";
export { SUITE_SCHEMA, suiteJsonSchema } from "./suite-schema.js";
export { validate, type ValidateOptions } from "./validate.js";
export { assertValid, describeFailure, expectationLabel, failedExpectations } from "./assert-valid.js";
export { renderValidationSummary } from "./summary.js";
export { buildFeatureSuite, DEFAULT_FEATURE_SUITE_PATH, FEATURE_SUITE_NAME, readDefaultFeatureSuite } from "./feature-suite.js";
export { buildIngestSuite, type IngestChecks } from "./ingest-suite.js";
export type { SeriesReference, StoredSeries } from "./reference.js";
export { FLOAT32_MAX } from "./expectations/column-values-to-be-plausible.js";
export { ExpectationRegistry, defineExpectation, type AnyExpectation, type ExpectationDefinition, type Outcome } from "./registry.js";
export { BUILTIN_EXPECTATIONS, createDefaultRegistry, defaultRegistry } from "./expectations/index.js";
export { ValidationContext, isMissing } from "./context.js";
export { COLUMN_TYPES, type ValidatedColumnType } from "./column-types.js";
