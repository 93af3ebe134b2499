import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { featureColumns, TIME_COLUMN, VALUE_COLUMN, type DatasetSpec } from "../pipeline/dataset/spec.js";
import { HOUR_MS } from "../pipeline/time/hours.js";
import { loadSuite } from "./load-suite.js";
import type { ExpectationConfig, ExpectationSuite } from "./types.js";

/** Name of the feature table's suite. */
export const FEATURE_SUITE_NAME = "energy_consumption";

function e(expectation_type: string, kwargs: Record<string, unknown>, notes?: string): ExpectationConfig {
  return { expectation_type, kwargs, meta: notes === undefined ? {} : { notes } };
}

/**
 * The feature table's suite for a dataset: the reference's expectations, with each key column's
 * value set taken from the spec when it fixes one (DE35's areas and consumer types; otherwise the
 * set is learned from the data and not checked), plus what the reference lacked: a non-empty
 * table, a timestamp type for `datetime_utc`, no null keys, one row per (series, hour) and no
 * missing hour inside any series. `suites/energy_consumption.json` is this suite for DE35.
 */
export function buildFeatureSuite(spec: DatasetSpec): ExpectationSuite {
  const columns = featureColumns(spec);
  const keys = spec.keys.map((k) => k.name);
  const added = "added: not in the reference suite";
  const keyExpectations = spec.keys.flatMap((k, i) => {
    const out: ExpectationConfig[] = [];
    out.push(e("expect_column_values_to_not_be_null", { column: k.name }, k.codes ? `${added}; unknown ${k.name} codes become null in the transform` : added));
    if (k.values) {
      const set = [...new Set(k.values)].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : 1));
      out.push(e("expect_column_distinct_values_to_be_in_set", { column: k.name, value_set: set }));
    }
    out.push(e("expect_column_values_to_be_of_type", { column: k.name, type_: k.type }, i === 0 || k.values ? undefined : added));
    return out;
  });
  return {
    expectation_suite_name: FEATURE_SUITE_NAME,
    expectations: [
      e("expect_table_columns_to_match_ordered_list", { column_list: columns }),
      e("expect_table_column_count_to_equal", { value: columns.length }),
      e("expect_table_row_count_to_be_between", { min_value: 1, max_value: null }, `${added}; an empty extract is an upstream failure`),
      e("expect_column_values_to_not_be_null", { column: TIME_COLUMN }),
      e("expect_column_values_to_be_of_type", { column: TIME_COLUMN, type_: "timestamp" }, added),
      ...keyExpectations,
      e("expect_column_min_to_be_between", { column: VALUE_COLUMN, min_value: 0, strict_min: false }),
      e("expect_column_values_to_be_of_type", { column: VALUE_COLUMN, type_: "float64" }),
      e("expect_column_values_to_not_be_null", { column: VALUE_COLUMN }),
      e("expect_compound_columns_to_be_unique", { column_list: [...keys, TIME_COLUMN] }, `${added}; one value per series and hour`),
      e(
        "expect_column_values_to_be_continuous_per_group",
        { column: TIME_COLUMN, group_by: keys, step_ms: HOUR_MS },
        `${added}; lags and rolling windows assume no missing hour`,
      ),
    ],
    meta: { dataset: spec.api?.dataset ?? spec.name, generated_by: "buildFeatureSuite (src/validation/feature-suite.ts)" },
    data_asset_type: null,
  };
}

/** Where the DE35 suite file lives (next to this module). */
export const DEFAULT_FEATURE_SUITE_PATH = fileURLToPath(new URL("./suites/energy_consumption.json", import.meta.url));

/** Reads and checks the shipped DE35 feature suite file. */
export function readDefaultFeatureSuite(): ExpectationSuite {
  return loadSuite(readFileSync(DEFAULT_FEATURE_SUITE_PATH, "utf8"), DEFAULT_FEATURE_SUITE_PATH);
}
