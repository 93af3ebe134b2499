import { describe, expect, it } from "vitest";
import { check, tbl } from "./helpers.js";

describe("expect_column_distinct_values_to_be_in_set", () => {
  it("passes when the distinct values are a subset, with their counts", () => {
    const r = check(tbl({ a: [2, 1, 1, null, 0] }), "expect_column_distinct_values_to_be_in_set", { column: "a", value_set: [0, 1, 2, 3] });
    expect(r.success).toBe(true);
    expect(r.result).toEqual({
      observed_value: [0, 1, 2],
      details: {
        value_counts: [
          { value: 0, count: 1 },
          { value: 1, count: 2 },
          { value: 2, count: 1 },
        ],
        unexpected_values: [],
      },
    });
  });

  it("fails on a value outside the set", () => {
    const r = check(tbl({ a: [1, 5, 5] }), "expect_column_distinct_values_to_be_in_set", { column: "a", value_set: [0, 1, 2] });
    expect(r.success).toBe(false);
    expect(r.result).toMatchObject({ observed_value: [1, 5], details: { unexpected_values: [5] } });
  });
});

describe("expect_column_min_to_be_between / expect_column_max_to_be_between", () => {
  const t = tbl({ v: [3, -5, null, 7] });

  it("observes the minimum over non-missing values", () => {
    expect(check(t, "expect_column_min_to_be_between", { column: "v", min_value: 0 })).toMatchObject({ success: false, result: { observed_value: -5 } });
    expect(check(t, "expect_column_min_to_be_between", { column: "v", min_value: -5 })).toMatchObject({ success: true, result: { observed_value: -5 } });
    expect(check(t, "expect_column_min_to_be_between", { column: "v", min_value: -5, strict_min: true }).success).toBe(false);
  });

  it("observes the maximum", () => {
    expect(check(t, "expect_column_max_to_be_between", { column: "v", max_value: 10 })).toMatchObject({ success: true, result: { observed_value: 7 } });
    expect(check(t, "expect_column_max_to_be_between", { column: "v", min_value: 0, max_value: 6 })).toMatchObject({
      success: false,
      result: { observed_value: 7 },
    });
  });

  it("fails on an all-missing column with observed null", () => {
    expect(check(tbl({ v: [null, NaN] }), "expect_column_min_to_be_between", { column: "v", min_value: 0 })).toMatchObject({
      success: false,
      result: { observed_value: null },
    });
  });

  it("raises (captured) on non-numeric values", () => {
    const r = check(tbl({ v: [1, "a"] }), "expect_column_min_to_be_between", { column: "v", min_value: 0 });
    expect(r.success).toBe(false);
    expect(r.exception_info.exception_message).toBe('validate: column "v" holds a non-numeric value "a" at row 1; min needs numbers');
  });
});
