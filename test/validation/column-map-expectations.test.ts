import { describe, expect, it } from "vitest";
import { check, tbl } from "./helpers.js";

describe("expect_column_values_to_not_be_null", () => {
  const t = tbl({ a: [1, null, 3, NaN] });

  it("counts null and NaN as unexpected, with GE's percentages of all rows", () => {
    const r = check(t, "expect_column_values_to_not_be_null", { column: "a" });
    expect(r.success).toBe(false);
    expect(r.result).toEqual({
      element_count: 4,
      unexpected_count: 2,
      unexpected_percent: 50,
      unexpected_percent_total: 50,
      partial_unexpected_list: [null, null],
      partial_unexpected_index_list: [1, 3],
    });
  });

  it("passes on a complete column", () => {
    expect(check(tbl({ a: [1, 2] }), "expect_column_values_to_not_be_null", { column: "a" })).toMatchObject({
      success: true,
      result: { element_count: 2, unexpected_count: 0, unexpected_percent: 0 },
    });
  });

  it("applies mostly to the share of non-null values", () => {
    expect(check(t, "expect_column_values_to_not_be_null", { column: "a", mostly: 0.5 }).success).toBe(true);
    expect(check(t, "expect_column_values_to_not_be_null", { column: "a", mostly: 0.51 }).success).toBe(false);
  });
});

describe("expect_column_values_to_be_between", () => {
  const t = tbl({ v: [0, 5, 10, null] });

  it("passes inclusive bounds and reports GE map counts", () => {
    const r = check(t, "expect_column_values_to_be_between", { column: "v", min_value: 0, max_value: 10 });
    expect(r.success).toBe(true);
    expect(r.result).toEqual({
      element_count: 4,
      missing_count: 1,
      missing_percent: 25,
      unexpected_count: 0,
      unexpected_percent: 0,
      unexpected_percent_total: 0,
      unexpected_percent_nonmissing: 0,
      partial_unexpected_list: [],
      partial_unexpected_index_list: [],
    });
  });

  it("fails on strict bounds, listing the offending values and rows", () => {
    const r = check(t, "expect_column_values_to_be_between", { column: "v", min_value: 0, max_value: 10, strict_min: true, strict_max: true });
    expect(r.success).toBe(false);
    expect(r.result).toMatchObject({
      unexpected_count: 2,
      unexpected_percent: (2 / 3) * 100,
      unexpected_percent_total: 50,
      partial_unexpected_list: [0, 10],
      partial_unexpected_index_list: [0, 2],
    });
  });

  it("treats non-numbers as unexpected", () => {
    const r = check(tbl({ v: [1, "x"] }), "expect_column_values_to_be_between", { column: "v", min_value: 0 });
    expect(r.result).toMatchObject({ unexpected_count: 1, partial_unexpected_list: ["x"] });
  });

  it("applies mostly: success when unexpected_percent <= (1 - mostly) * 100", () => {
    const four = tbl({ v: [1, 2, 3, -1] });
    expect(check(four, "expect_column_values_to_be_between", { column: "v", min_value: 0, mostly: 0.75 }).success).toBe(true);
    expect(check(four, "expect_column_values_to_be_between", { column: "v", min_value: 0, mostly: 0.76 }).success).toBe(false);
  });

  it("keeps at most 20 unexpected values", () => {
    const r = check(tbl({ v: Array.from({ length: 30 }, (_, i) => -i - 1) }), "expect_column_values_to_be_between", { column: "v", min_value: 0 });
    expect(r.result.unexpected_count).toBe(30);
    expect(r.result.partial_unexpected_list).toHaveLength(20);
    expect(r.result.partial_unexpected_index_list).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe("expect_column_values_to_be_in_set", () => {
  it("passes and fails per value", () => {
    const t = tbl({ s: ["a", "b", "c", null] });
    expect(check(t, "expect_column_values_to_be_in_set", { column: "s", value_set: ["a", "b", "c"] }).success).toBe(true);
    const r = check(t, "expect_column_values_to_be_in_set", { column: "s", value_set: ["a", "b"] });
    expect(r.success).toBe(false);
    expect(r.result).toMatchObject({ unexpected_count: 1, missing_count: 1, partial_unexpected_list: ["c"], partial_unexpected_index_list: [2] });
  });
});

describe("expect_column_values_to_be_of_type", () => {
  it("infers the type from the values when none is declared", () => {
    const r = check(tbl({ a: [1, -128, 127] }), "expect_column_values_to_be_of_type", { column: "a", type_: "int8" });
    expect(r.success).toBe(true);
    expect(r.result).toMatchObject({ observed_value: "int8", unexpected_count: 0, details: { type_source: "inferred from values" } });
  });

  it("fails on values outside the type, saying what they are instead", () => {
    const r = check(tbl({ a: [1, 200, 2.5, null] }), "expect_column_values_to_be_of_type", { column: "a", type_: "int8" });
    expect(r.success).toBe(false);
    expect(r.result).toMatchObject({
      observed_value: "float64",
      element_count: 4,
      missing_count: 1,
      unexpected_count: 2,
      partial_unexpected_list: [200, 2.5],
      partial_unexpected_index_list: [1, 2],
    });
  });

  it("fails when the declared type differs, even if the values would fit", () => {
    const r = check(tbl({ a: [1, 2] }), "expect_column_values_to_be_of_type", { column: "a", type_: "int8" }, { a: "int32" });
    expect(r.success).toBe(false);
    expect(r.result).toMatchObject({ observed_value: "int32", unexpected_count: 0, details: { type_source: "declared" } });
  });

  it("passes when the declared type matches", () => {
    const r = check(tbl({ a: [1, 2] }), "expect_column_values_to_be_of_type", { column: "a", type_: "int32" }, { a: "int32" });
    expect(r).toMatchObject({ success: true, result: { observed_value: "int32", details: { type_source: "declared" } } });
  });

  it("reads the type of a typed-array column from its storage", () => {
    const r = check(tbl({ a: Int32Array.from([1, 2]) }), "expect_column_values_to_be_of_type", { column: "a", type_: "int8" });
    expect(r.success).toBe(false);
    expect(r.result).toMatchObject({ observed_value: "int32", details: { type_source: "inferred from column storage (int32)" } });
    const ok = check(tbl({ a: Int8Array.from([1, 2]) }), "expect_column_values_to_be_of_type", { column: "a", type_: "int8" });
    expect(ok).toMatchObject({ success: true, result: { observed_value: "int8" } });
  });

  it("accepts float64-stored epoch ms as timestamp, and rejects fractions and infinities", () => {
    const ms = Date.parse("2023-01-01T00:00:00Z");
    const ok = check(tbl({ t: Float64Array.from([ms, ms + 3_600_000]) }), "expect_column_values_to_be_of_type", { column: "t", type_: "timestamp" });
    expect(ok).toMatchObject({ success: true, result: { observed_value: "timestamp", details: { type_source: "inferred from column storage (float64)" } } });
    const bad = check(tbl({ t: [ms, 1.5, Infinity] }), "expect_column_values_to_be_of_type", { column: "t", type_: "timestamp" });
    expect(bad).toMatchObject({ success: false, result: { observed_value: "float64", unexpected_count: 2, partial_unexpected_list: [1.5, Infinity] } });
  });

  it("checks int32 range, float64 finiteness and utf8", () => {
    expect(check(tbl({ a: [2147483648] }), "expect_column_values_to_be_of_type", { column: "a", type_: "int32" }).result).toMatchObject({
      observed_value: "int64",
      unexpected_count: 1,
    });
    expect(check(tbl({ a: [1.5, -Infinity] }), "expect_column_values_to_be_of_type", { column: "a", type_: "float64" }).result).toMatchObject({
      unexpected_count: 1,
      partial_unexpected_list: [-Infinity],
    });
    expect(check(tbl({ a: ["x", 1] }), "expect_column_values_to_be_of_type", { column: "a", type_: "utf8" }).result).toMatchObject({
      observed_value: "mixed(integer, utf8)",
      partial_unexpected_list: [1],
    });
  });

  it("applies mostly to the values, not to a declared type mismatch", () => {
    const t = tbl({ a: [1, 2, 3, 300] });
    expect(check(t, "expect_column_values_to_be_of_type", { column: "a", type_: "int8", mostly: 0.75 }).success).toBe(true);
    expect(check(t, "expect_column_values_to_be_of_type", { column: "a", type_: "int8", mostly: 0.8 }).success).toBe(false);
    expect(check(t, "expect_column_values_to_be_of_type", { column: "a", type_: "int8", mostly: 0.75 }, { a: "int16" }).success).toBe(false);
  });
});
