import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixedClock } from "../../src/pipeline/core/effects.js";
import { ConfigError } from "../../src/pipeline/core/errors.js";
import { createDefaultRegistry, defineExpectation, loadSuite, validate } from "../../src/validation/index.js";
import { NOW, suiteOf, tbl } from "./helpers.js";

const GOLDEN = fileURLToPath(new URL("./golden/small-result.json", import.meta.url));

describe("validate", () => {
  it("produces GE's result shape (golden file)", () => {
    const table = tbl({ area: [1, 1, 2, 2], consumer_type: [111, 111, 111, 999], energy_consumption: [10.5, -2, 7, 8] });
    const suite = suiteOf(
      ["expect_table_column_count_to_equal", { value: 3 }],
      ["expect_column_distinct_values_to_be_in_set", { column: "area", value_set: [0, 1, 2] }],
      ["expect_column_values_to_be_of_type", { column: "area", type_: "int8" }],
      ["expect_column_min_to_be_between", { column: "energy_consumption", min_value: 0 }],
      ["expect_column_values_to_be_between", { column: "energy_consumption", min_value: 0, mostly: 0.9 }],
      ["expect_compound_columns_to_be_unique", { column_list: ["area", "consumer_type"] }],
    );
    suite.expectations[3].meta = { notes: "consumption is never negative" };
    const result = validate(table, suite, { now: NOW, runName: "golden", batch: { source: "inline", rows: 4 }, columnTypes: { area: "int8" } });
    const text = JSON.stringify(result, null, 2) + "\n";
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("computes statistics and overall success", () => {
    const r = validate(tbl({ a: [1] }), suiteOf(["expect_table_column_count_to_equal", { value: 1 }], ["expect_table_column_count_to_equal", { value: 2 }]), {
      now: NOW,
    });
    expect(r.success).toBe(false);
    expect(r.statistics).toEqual({ evaluated_expectations: 2, successful_expectations: 1, unsuccessful_expectations: 1, success_percent: 50 });
    expect(r.evaluation_parameters).toEqual({});
  });

  it("succeeds on an empty suite with success_percent null", () => {
    const r = validate(tbl({ a: [1] }), suiteOf(), { now: NOW });
    expect(r.success).toBe(true);
    expect(r.statistics.success_percent).toBeNull();
  });

  it("takes validation_time from the injected clock", () => {
    const r = validate(tbl({ a: [1] }), suiteOf(), { clock: fixedClock("2024-05-06T07:08:09Z") });
    expect(r.meta).toEqual({ expectation_suite_name: "test", validation_time: "2024-05-06T07:08:09.000Z" });
  });

  it("captures an expectation that raises and runs the others", () => {
    const r = validate(
      tbl({ a: [1], b: [2] }),
      suiteOf(["expect_column_values_to_not_be_null", { column: "nope" }], ["expect_table_column_count_to_equal", { value: 2 }]),
      { now: NOW },
    );
    expect(r.statistics.successful_expectations).toBe(1);
    const failed = r.results[0];
    expect(failed.success).toBe(false);
    expect(failed.result).toEqual({});
    expect(failed.exception_info.raised_exception).toBe(true);
    expect(failed.exception_info.exception_message).toBe('validate: column "nope" not found; the table has columns a, b');
    expect(failed.exception_info.exception_traceback).toContain("requireColumn");
    expect(r.results[1].exception_info).toEqual({ raised_exception: false, exception_message: null, exception_traceback: null });
  });

  it("validates only the rows of a filtered table", () => {
    const t = tbl({ v: [1, -1, 2] });
    const suite = suiteOf(["expect_column_min_to_be_between", { column: "v", min_value: 0 }], ["expect_table_row_count_to_be_between", { max_value: 2 }]);
    expect(validate(t, suite, { now: NOW }).success).toBe(false);
    expect(
      validate(
        t.filter((d: { v: number }) => d.v >= 0),
        suite,
        { now: NOW },
      ).success,
    ).toBe(true);
  });

  it("throws a ConfigError for a malformed suite instead of reporting", () => {
    expect(() => validate(tbl({ a: [1] }), suiteOf(["expect_table_column_count_to_equal", { value: "2" }]), { now: NOW })).toThrow(ConfigError);
    expect(() => validate(tbl({ a: [1] }), suiteOf(["expect_table_column_count_to_equal", { value: "2" }]), { now: NOW })).toThrow(
      'config: suite "test" is invalid: expectations[0] (expect_table_column_count_to_equal): kwargs/value must be integer; fix the suite',
    );
  });

  it("runs custom expectations from a caller's registry", () => {
    const registry = createDefaultRegistry().register(
      defineExpectation<{ value: number }>({
        type: "expect_table_row_count_to_equal",
        kwargsSchema: { type: "object", properties: { value: { type: "integer" } }, required: ["value"], additionalProperties: false },
        columns: () => [],
        expected: (k) => `${k.value} rows`,
        evaluate: (ctx, k) => ({ success: ctx.rowCount === k.value, result: { observed_value: ctx.rowCount } }),
      }),
    );
    const suite = loadSuite(suiteOf(["expect_table_row_count_to_equal", { value: 2 }]), "custom", registry);
    expect(validate(tbl({ a: [1, 2] }), suite, { now: NOW, registry }).success).toBe(true);
    expect(() => validate(tbl({ a: [1, 2] }), suite, { now: NOW })).toThrow('expectations[0] has unknown expectation_type "expect_table_row_count_to_equal"');
  });
});
