import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FEATURE_COLUMNS, type DatasetSpec } from "../pipeline/dataset/spec.js";
import { loadSuite } from "./load-suite.js";
import type { ExpectationConfig, ExpectationSuite } from "./types.js";

/** One hour in ms: the feature table's step. */
const HOUR_MS = 3_600_000;

/** Name of the feature table's suite. */
export const FEATURE_SUITE_NAME = "energy_consumption";

function e(expectation_type: string, kwargs: Record<string, unknown>, notes?: string): ExpectationConfig {
  return { expectation_type, kwargs, meta: notes === undefined ? {} : { notes } };
}

/**
 * The feature table's suite for a dataset: the reference's ten expectations, with the area and
 * consumer-type sets taken from the spec (they change with the dataset), plus what the reference
 * lacked: a non-empty table, a timestamp type for `datetime_utc`, no null keys, one row per
 * (area, consumer_type, hour) and no missing hour inside any series.
 * `suites/energy_consumption.json` is this suite for {@link DE35}.
 */
export function buildFeatureSuite(spec: DatasetSpec): ExpectationSuite {
  const areas = [...new Set(Object.values(spec.areas))].sort((a, b) => a - b);
  const codes = [...new Set(spec.consumerTypes)].sort((a, b) => a - b);
  const [time, area, consumer, value] = FEATURE_COLUMNS;
  const added = "added: not in the reference suite";
  return {
    expectation_suite_name: FEATURE_SUITE_NAME,
    expectations: [
      e("expect_table_columns_to_match_ordered_list", { column_list: [...FEATURE_COLUMNS] }),
      e("expect_table_column_count_to_equal", { value: FEATURE_COLUMNS.length }),
      e("expect_table_row_count_to_be_between", { min_value: 1, max_value: null }, `${added}; an empty extract is an upstream failure`),
      e("expect_column_values_to_not_be_null", { column: time }),
      e("expect_column_values_to_be_of_type", { column: time, type_: "timestamp" }, added),
      e("expect_column_values_to_not_be_null", { column: area }, `${added}; unknown area codes become null in the transform`),
      e("expect_column_distinct_values_to_be_in_set", { column: area, value_set: areas }),
      e("expect_column_values_to_be_of_type", { column: area, type_: "int8" }),
      e("expect_column_values_to_not_be_null", { column: consumer }, added),
      e("expect_column_distinct_values_to_be_in_set", { column: consumer, value_set: codes }),
      e("expect_column_values_to_be_of_type", { column: consumer, type_: "int32" }),
      e("expect_column_min_to_be_between", { column: value, min_value: 0, strict_min: false }),
      e("expect_column_values_to_be_of_type", { column: value, type_: "float64" }),
      e("expect_column_values_to_not_be_null", { column: value }),
      e("expect_compound_columns_to_be_unique", { column_list: [area, consumer, time] }, `${added}; one value per series and hour`),
      e(
        "expect_column_values_to_be_continuous_per_group",
        { column: time, group_by: [area, consumer], step_ms: HOUR_MS },
        `${added}; lags and rolling windows assume no missing hour`,
      ),
    ],
    meta: { dataset: spec.name, generated_by: "buildFeatureSuite (src/validation/feature-suite.ts)" },
    data_asset_type: null,
  };
}

/** Where the DE35 suite file lives (next to this module). */
export const DEFAULT_FEATURE_SUITE_PATH = fileURLToPath(new URL("./suites/energy_consumption.json", import.meta.url));

/** Reads and checks the shipped DE35 feature suite file. */
export function readDefaultFeatureSuite(): ExpectationSuite {
  return loadSuite(readFileSync(DEFAULT_FEATURE_SUITE_PATH, "utf8"), DEFAULT_FEATURE_SUITE_PATH);
}
