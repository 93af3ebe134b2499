import { describe, expect, it } from "vitest";
import { ExitCode, ValidationFailedError } from "../../src/pipeline/core/errors.js";
import { assertValid, describeFailure, failedExpectations, validate } from "../../src/validation/index.js";
import { NOW, suiteOf, tbl } from "./helpers.js";

const table = tbl({ area: [1, 1, 2], consumer_type: [111, 111, 111], energy_consumption: [10, -5, null] });

function thrown(fn: () => unknown): ValidationFailedError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailedError);
    return e as ValidationFailedError;
  }
  throw new Error("expected a ValidationFailedError");
}

describe("assertValid", () => {
  it("does nothing when every expectation passed", () => {
    const r = validate(table, suiteOf(["expect_table_column_count_to_equal", { value: 3 }]), { now: NOW });
    expect(() => assertValid(r, "x")).not.toThrow();
    expect(failedExpectations(r)).toEqual([]);
  });

  it("lists each failed expectation with what was observed and expected", () => {
    const r = validate(
      table,
      suiteOf(
        ["expect_table_column_count_to_equal", { value: 3 }],
        ["expect_column_min_to_be_between", { column: "energy_consumption", min_value: 0 }],
        ["expect_compound_columns_to_be_unique", { column_list: ["area", "consumer_type"] }],
        ["expect_column_values_to_not_be_null", { column: "energy_consumption" }],
        ["expect_column_values_to_be_between", { column: "energy_consumption", min_value: 0, mostly: 0.9 }],
        ["expect_column_distinct_values_to_be_in_set", { column: "area", value_set: [0, 1] }],
        ["expect_column_values_to_be_of_type", { column: "area", type_: "int8" }],
        ["expect_table_columns_to_match_ordered_list", { column_list: ["area"] }],
        ["expect_column_max_to_be_between", { column: "missing", max_value: 1 }],
      ),
      { now: NOW, columnTypes: { area: "int32" } },
    );
    const e = thrown(() => assertValid(r, "DE35 extract 2023-01"));
    expect(e.exitCode).toBe(ExitCode.validationFailed);
    expect(e.message).toBe(
      "validate: 8 of 9 expectations failed for DE35 extract 2023-01: " +
        "expect_column_min_to_be_between(energy_consumption) observed -5, expected >= 0; " +
        'expect_compound_columns_to_be_unique(area, consumer_type) 1 duplicate key (2 rows), e.g. {"area":1,"consumer_type":111,"count":2}; ' +
        "expect_column_values_to_not_be_null(energy_consumption) 1 of 3 values are null (33.3%), e.g. at rows [2]; " +
        "expect_column_values_to_be_between(energy_consumption) 1 of 2 non-null values unexpected (50%), e.g. [-5]; expected >= 0 for at least 90% of values; " +
        "expect_column_distinct_values_to_be_in_set(area) 1 distinct value(s) not in the expected set: [2] (2 distinct values observed); " +
        "expect_column_values_to_be_of_type(area) observed type int32 (declared), expected int8; " +
        "expect_table_columns_to_match_ordered_list observed [area, consumer_type, energy_consumption], expected [area]; " +
        'expect_column_max_to_be_between(missing) raised: validate: column "missing" not found; the table has columns area, consumer_type, energy_consumption; ' +
        "fix the source data or the suite",
    );
  });

  it("describes values that do not fit a type", () => {
    const r = validate(tbl({ a: [1, 300, 2.5] }), suiteOf(["expect_column_values_to_be_of_type", { column: "a", type_: "int8" }]), { now: NOW });
    expect(describeFailure(r.results[0])).toBe(
      "expect_column_values_to_be_of_type(a) observed type float64 (inferred from values), expected int8; 2 of 3 non-null values are not int8 (66.7%), e.g. [300, 2.5]",
    );
  });
});
