import { Ajv } from "ajv";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/pipeline/core/errors.js";
import { DEFAULT_FEATURE_SUITE_PATH, defaultRegistry, loadSuite, suiteJsonSchema } from "../../src/validation/index.js";

const one = (expectation_type: string, kwargs: unknown) => ({ expectation_suite_name: "s", expectations: [{ expectation_type, kwargs }] });

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadSuite", () => {
  it("parses a JSON string and fills GE's defaults", () => {
    const suite = loadSuite(JSON.stringify({ ...one("expect_table_column_count_to_equal", { value: 4 }), ge_cloud_id: null }));
    expect(suite).toEqual({
      expectation_suite_name: "s",
      expectations: [{ expectation_type: "expect_table_column_count_to_equal", kwargs: { value: 4 }, meta: {} }],
      meta: {},
      data_asset_type: null,
    });
  });

  it("returns a copy that does not alias the input", () => {
    const input = one("expect_table_columns_to_match_ordered_list", { column_list: ["a"] });
    const suite = loadSuite(input);
    (input.expectations[0].kwargs as { column_list: string[] }).column_list.push("b");
    expect(suite.expectations[0].kwargs).toEqual({ column_list: ["a"] });
  });

  it("rejects text that is not JSON", () => {
    expect(message(() => loadSuite("{", "x.json"))).toMatch(/^config: suite x\.json is not valid JSON: .+; fix the file$/);
  });

  it("rejects a document that is not a suite", () => {
    expect(message(() => loadSuite({ expectations: [] }))).toBe(
      "config: suite (inline suite) is not an expectation suite: (root) must have required property 'expectation_suite_name'; fix the suite",
    );
    expect(message(() => loadSuite({ expectation_suite_name: "s", expectations: [{ expectation_type: "x", kwargs: [], extra: 1 }] }))).toBe(
      'config: suite (inline suite) is not an expectation suite: /expectations/0 must NOT have additional properties ("extra"); /expectations/0/kwargs must be object; fix the suite',
    );
  });

  it("lists the supported types for an unknown expectation_type", () => {
    expect(message(() => loadSuite(one("expect_magic", {}), "s.json"))).toBe(
      'config: suite s.json is invalid: expectations[0] has unknown expectation_type "expect_magic"; supported: ' +
        "expect_column_distinct_values_to_be_in_set, expect_column_max_to_be_between, expect_column_min_to_be_between, " +
        "expect_column_values_to_be_between, expect_column_values_to_be_continuous_per_group, expect_column_values_to_be_in_set, " +
        "expect_column_values_to_be_of_type, expect_column_values_to_be_plausible, expect_column_values_to_be_visible, " +
        "expect_column_values_to_continue_stored_series, expect_column_values_to_not_be_null, expect_compound_columns_to_be_unique, " +
        "expect_table_column_count_to_equal, expect_table_columns_to_match_ordered_list, expect_table_row_count_to_be_between; fix the suite",
    );
  });

  it("names the expectation index and the ajv path of bad kwargs", () => {
    expect(message(() => loadSuite(one("expect_column_min_to_be_between", { column: "a", min_value: "0" })))).toBe(
      "config: suite (inline suite) is invalid: expectations[0] (expect_column_min_to_be_between): kwargs/min_value must be number,null; fix the suite",
    );
    expect(message(() => loadSuite(one("expect_column_values_to_not_be_null", { colum: "a" })))).toBe(
      "config: suite (inline suite) is invalid: expectations[0] (expect_column_values_to_not_be_null): kwargs must have required property 'column'; " +
        'expectations[0] (expect_column_values_to_not_be_null): kwargs must NOT have additional properties ("colum"); fix the suite',
    );
    expect(message(() => loadSuite(one("expect_column_values_to_be_of_type", { column: "a", type_: "int64" })))).toBe(
      "config: suite (inline suite) is invalid: expectations[0] (expect_column_values_to_be_of_type): kwargs/type_ must be equal to one of the allowed values " +
        '("timestamp", "int8", "int16", "int32", "float64", "utf8", "bool"); fix the suite',
    );
  });

  it("checks mostly and cross-field rules, reporting every expectation at once", () => {
    const suite = {
      expectation_suite_name: "s",
      expectations: [
        { expectation_type: "expect_column_min_to_be_between", kwargs: { column: "a", min_value: 5, max_value: 1 } },
        { expectation_type: "expect_column_values_to_be_between", kwargs: { column: "a", mostly: 0 } },
        { expectation_type: "expect_column_max_to_be_between", kwargs: { column: "a", min_value: null } },
        { expectation_type: "expect_column_values_to_be_continuous_per_group", kwargs: { column: "t", group_by: ["t"], step_ms: 1 } },
      ],
    };
    expect(message(() => loadSuite(suite))).toBe(
      "config: suite (inline suite) is invalid: expectations[0] (expect_column_min_to_be_between): min_value 5 is greater than max_value 1; " +
        "expectations[1] (expect_column_values_to_be_between): kwargs/mostly must be > 0; " +
        "expectations[2] (expect_column_max_to_be_between): needs min_value or max_value (both are missing or null); " +
        'expectations[3] (expect_column_values_to_be_continuous_per_group): group_by must not contain the column "t" itself; fix the suite',
    );
  });
});

describe("suiteJsonSchema", () => {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const validateSuite = ajv.compile(suiteJsonSchema(defaultRegistry));

  it("accepts the shipped suite file", () => {
    expect(validateSuite(JSON.parse(readFileSync(DEFAULT_FEATURE_SUITE_PATH, "utf8")))).toBe(true);
  });

  it("rejects bad kwargs of a known type and unknown types", () => {
    expect(validateSuite(one("expect_column_min_to_be_between", { column: 1 }))).toBe(false);
    expect(validateSuite.errors?.map((e) => e.instancePath)).toContain("/expectations/0/kwargs/column");
    expect(validateSuite(one("expect_magic", {}))).toBe(false);
  });
});
