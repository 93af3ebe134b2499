import { keyNames } from "../pipeline/series/key.js";
import { keyColumns, TIME_COLUMN, VALUE_COLUMN, type DatasetSpec } from "../pipeline/dataset/spec.js";
import { formatInstant, HOUR_MS } from "../pipeline/time/hours.js";
import { buildFeatureSuite } from "./feature-suite.js";
import { FLOAT32_MAX } from "./expectations/column-values-to-be-plausible.js";
import type { ExpectationConfig, ExpectationSuite } from "./types.js";

/** The store-aware parameters of one ingest's checks. */
export interface IngestChecks {
  /** Rows at or after this hour (epoch ms) are refused: as-of minus delay, capped at the present. */
  visibleUntil: number;
  /** The first hour this batch could have covered (epoch ms): stored series live then must continue without a gap. */
  continueFrom: number;
  /** MAX_VALUE_RATIO: values above this many times the series' scale are refused (0: off). */
  maxValueRatio: number;
}

/**
 * The suite ingest validates each batch with: the feature suite ({@link buildFeatureSuite}, which
 * checks the batch against itself) plus three expectations that check it against the time it was
 * taken at and against the stored series (given to `validate` as `reference`): no row after the
 * visible time, no gap after a stored series' last hour, no implausible value. Failing any of them
 * quarantines the extract like every other expectation.
 */
export function buildIngestSuite(spec: DatasetSpec, checks: IngestChecks): ExpectationSuite {
  const base = buildFeatureSuite(spec);
  const keys = keyNames(keyColumns(spec));
  const e = (expectation_type: string, kwargs: Record<string, unknown>, notes: string): ExpectationConfig => ({ expectation_type, kwargs, meta: { notes } });
  return {
    ...base,
    expectations: [
      ...base.expectations,
      e(
        "expect_column_values_to_be_visible",
        { column: TIME_COLUMN, visible_until: formatInstant(checks.visibleUntil) },
        "added: a row after as-of minus the delay (or after the present) is from the future and would move every later window",
      ),
      e(
        "expect_column_values_to_continue_stored_series",
        {
          column: TIME_COLUMN,
          group_by: keys,
          step_ms: HOUR_MS,
          continue_from: formatInstant(checks.continueFrom),
          visible_until: formatInstant(checks.visibleUntil),
        },
        "added: a batch that starts after a stored series' next hour would leave a hole in the store",
      ),
      e(
        "expect_column_values_to_be_plausible",
        { column: VALUE_COLUMN, group_by: keys, max_ratio: checks.maxValueRatio, absolute_max: FLOAT32_MAX, time_column: TIME_COLUMN },
        "added: MAX_VALUE_RATIO x the series' largest stored value (its batch median when new); beyond float32's range always",
      ),
    ],
    meta: { ...base.meta, generated_by: "buildIngestSuite (src/validation/ingest-suite.ts)" },
  };
}
