import { describe, expect, it } from "vitest";
import { check, tbl } from "./helpers.js";

const H = 3_600_000;
const T0 = Date.parse("2023-01-01T00:00:00Z");

describe("expect_compound_columns_to_be_unique", () => {
  it("passes on unique keys", () => {
    const r = check(tbl({ k1: [1, 1, 2], k2: ["a", "b", "a"] }), "expect_compound_columns_to_be_unique", { column_list: ["k1", "k2"] });
    expect(r.success).toBe(true);
    expect(r.result).toMatchObject({
      element_count: 3,
      missing_count: 0,
      unexpected_count: 0,
      partial_unexpected_list: [],
      details: { duplicate_key_count: 0 },
    });
  });

  it("marks every row of a duplicated key and lists the key once with its count", () => {
    const r = check(tbl({ k1: [1, 2, 1, 1], k2: ["a", "a", "b", "a"] }), "expect_compound_columns_to_be_unique", { column_list: ["k1", "k2"] });
    expect(r.success).toBe(false);
    expect(r.result).toEqual({
      element_count: 4,
      missing_count: 0,
      missing_percent: 0,
      unexpected_count: 2,
      unexpected_percent: 50,
      unexpected_percent_total: 50,
      unexpected_percent_nonmissing: 50,
      partial_unexpected_list: [{ k1: 1, k2: "a", count: 2 }],
      details: { duplicate_key_count: 1 },
    });
  });

  it("supports mostly", () => {
    const t = tbl({ k: [1, 1, 2, 3] });
    expect(check(t, "expect_compound_columns_to_be_unique", { column_list: ["k"], mostly: 0.5 }).success).toBe(true);
    expect(check(t, "expect_compound_columns_to_be_unique", { column_list: ["k"], mostly: 0.6 }).success).toBe(false);
  });

  it("skips all-missing keys by default, as GE does; ignore_row_if never counts them", () => {
    const t = tbl({ k1: [null, null, 1], k2: [null, null, 2] });
    expect(check(t, "expect_compound_columns_to_be_unique", { column_list: ["k1", "k2"] })).toMatchObject({ success: true, result: { missing_count: 2 } });
    const never = check(t, "expect_compound_columns_to_be_unique", { column_list: ["k1", "k2"], ignore_row_if: "never" });
    expect(never).toMatchObject({ success: false, result: { unexpected_count: 2, partial_unexpected_list: [{ k1: null, k2: null, count: 2 }] } });
  });

  it("finds duplicates when the key space exceeds 2^53 (comparator sort path)", () => {
    const n = 10_001;
    const cols: Record<string, number[]> = {};
    for (const c of ["a", "b", "c", "d"]) cols[c] = Array.from({ length: n }, (_, i) => i * 7 + c.charCodeAt(0));
    for (const c of ["a", "b", "c", "d"]) cols[c][n - 1] = cols[c][17];
    const r = check(tbl(cols), "expect_compound_columns_to_be_unique", { column_list: ["a", "b", "c", "d"] });
    expect(r.result).toMatchObject({
      unexpected_count: 2,
      partial_unexpected_list: [{ a: 17 * 7 + 97, b: 17 * 7 + 98, c: 17 * 7 + 99, d: 17 * 7 + 100, count: 2 }],
    });
  });
});

describe("expect_column_values_to_be_continuous_per_group", () => {
  const kwargs = { column: "t", group_by: ["g"], step_ms: H };

  it("passes on hourly series given in any order", () => {
    const r = check(tbl({ g: [2, 1, 1, 2, 1], t: [T0 + H, T0 + 2 * H, T0, T0, T0 + H] }), "expect_column_values_to_be_continuous_per_group", kwargs);
    expect(r.success).toBe(true);
    expect(r.result).toMatchObject({ element_count: 5, unexpected_count: 0, details: { groups: 2, gaps: 0, missing_steps: 0 } });
  });

  it("reports each gap with its group and the hours around it", () => {
    const r = check(tbl({ g: [1, 1, 1, 2, 2], t: [T0, T0 + H, T0 + 4 * H, T0, T0 + H] }), "expect_column_values_to_be_continuous_per_group", kwargs);
    expect(r.success).toBe(false);
    expect(r.result).toEqual({
      element_count: 5,
      missing_count: 0,
      missing_percent: 0,
      unexpected_count: 1,
      unexpected_percent: 20,
      unexpected_percent_total: 20,
      unexpected_percent_nonmissing: 20,
      partial_unexpected_list: [{ g: 1, after: "2023-01-01T01:00:00.000Z", before: "2023-01-01T04:00:00.000Z", missing_steps: 2 }],
      details: { groups: 2, gaps: 1, missing_steps: 2 },
    });
  });

  it("leaves repeated timestamps to the uniqueness check and counts missing times", () => {
    const r = check(tbl({ g: [1, 1, 1, 1], t: [T0, T0, T0 + H, null] }), "expect_column_values_to_be_continuous_per_group", kwargs);
    expect(r).toMatchObject({ success: true, result: { missing_count: 1, unexpected_count: 0 } });
  });

  it("works without groups and with mostly", () => {
    const t = tbl({ t: [T0, T0 + H, T0 + 3 * H, T0 + 4 * H] });
    const one = { column: "t", group_by: [], step_ms: H };
    expect(check(t, "expect_column_values_to_be_continuous_per_group", one).result).toMatchObject({ unexpected_count: 1, details: { groups: 1 } });
    expect(check(t, "expect_column_values_to_be_continuous_per_group", { ...one, mostly: 0.75 }).success).toBe(true);
  });

  it("raises (captured) on non-numeric times", () => {
    const r = check(tbl({ g: [1], t: ["2023-01-01"] }), "expect_column_values_to_be_continuous_per_group", kwargs);
    expect(r.exception_info.exception_message).toBe('validate: column "t" holds a non-numeric value "2023-01-01"; continuity needs epoch-ms numbers');
  });
});
