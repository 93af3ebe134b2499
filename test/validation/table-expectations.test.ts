import { describe, expect, it } from "vitest";
import { check, tbl } from "./helpers.js";

describe("expect_table_columns_to_match_ordered_list", () => {
  const t = tbl({ a: [1], b: [2] });

  it("passes on the exact list", () => {
    const r = check(t, "expect_table_columns_to_match_ordered_list", { column_list: ["a", "b"] });
    expect(r.success).toBe(true);
    expect(r.result).toEqual({ observed_value: ["a", "b"] });
  });

  it("fails on another order, listing each mismatched position", () => {
    const r = check(t, "expect_table_columns_to_match_ordered_list", { column_list: ["b", "a"] });
    expect(r.success).toBe(false);
    expect(r.result).toEqual({
      observed_value: ["a", "b"],
      details: {
        mismatched: [
          { "Expected Column Position": 0, Expected: "b", Found: "a" },
          { "Expected Column Position": 1, Expected: "a", Found: "b" },
        ],
      },
    });
  });

  it("fails on a missing column", () => {
    const r = check(t, "expect_table_columns_to_match_ordered_list", { column_list: ["a", "b", "c"] });
    expect(r.success).toBe(false);
    expect(r.result.details).toEqual({ mismatched: [{ "Expected Column Position": 2, Expected: "c", Found: null }] });
  });
});

describe("expect_table_column_count_to_equal", () => {
  const t = tbl({ a: [1], b: [2] });
  it("passes and fails on the count", () => {
    expect(check(t, "expect_table_column_count_to_equal", { value: 2 })).toMatchObject({ success: true, result: { observed_value: 2 } });
    expect(check(t, "expect_table_column_count_to_equal", { value: 3 })).toMatchObject({ success: false, result: { observed_value: 2 } });
  });
});

describe("expect_table_row_count_to_be_between", () => {
  it("passes within the bounds", () => {
    const r = check(tbl({ a: [1, 2, 3] }), "expect_table_row_count_to_be_between", { min_value: 1, max_value: 3 });
    expect(r).toMatchObject({ success: true, result: { observed_value: 3 } });
  });

  it("fails on an empty table", () => {
    const r = check(tbl({ a: [] }), "expect_table_row_count_to_be_between", { min_value: 1, max_value: null });
    expect(r).toMatchObject({ success: false, result: { observed_value: 0 } });
  });

  it("honours strict_max", () => {
    const r = check(tbl({ a: [1, 2, 3] }), "expect_table_row_count_to_be_between", { max_value: 3, strict_max: true });
    expect(r).toMatchObject({ success: false, result: { observed_value: 3 } });
  });
});
