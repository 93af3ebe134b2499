import { describe, expect, it } from "vitest";
import type { ColumnTable } from "arquero";
import { assertValid, validate, type ExpectationValidationResult, type Kwargs, type SeriesReference } from "../../src/validation/index.js";
import { ValidationFailedError } from "../../src/pipeline/core/errors.js";
import { NOW, suiteOf, tbl } from "./helpers.js";

const H = 3_600_000;
const T0 = Date.parse("2023-01-10T00:00:00Z");
const FLOAT32_MAX = 3.4028234663852886e38;

/** A reference of stored series `g` = 1, 2: last stored hour and largest stored value. */
const stored = (entries: Array<[string, number, number | null]>): SeriesReference => ({
  series: new Map(entries.map(([id, last, max]) => [id, { last, max }])),
});

function run(table: ColumnTable, type: string, kwargs: Kwargs, reference?: SeriesReference): ExpectationValidationResult {
  return validate(table, suiteOf([type, kwargs]), { now: NOW, reference }).results[0];
}

/** The message assertValid throws for one expectation. */
function message(table: ColumnTable, type: string, kwargs: Kwargs, reference?: SeriesReference): string {
  const result = validate(table, suiteOf([type, kwargs]), { now: NOW, reference });
  try {
    assertValid(result, "the batch");
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return (error as Error).message;
  }
  throw new Error("expected a failure");
}

describe("expect_column_values_to_continue_stored_series", () => {
  const kwargs = { column: "t", group_by: ["g"], step_ms: H, continue_from: "2023-01-10T01:00Z" };

  it("passes when each stored series continues right after its last hour (or overlaps it), and without a reference", () => {
    const batch = tbl({ g: [1, 1, 2, 2], t: [T0 + H, T0 + 2 * H, T0 - 5 * H, T0 + H] });
    const r = run(
      batch,
      "expect_column_values_to_continue_stored_series",
      kwargs,
      stored([
        ["1", T0, 10],
        ["2", T0, 10],
      ]),
    );
    expect(r.success).toBe(true);
    expect(r.result).toEqual({
      observed_value: 0,
      element_count: 2,
      unexpected_count: 0,
      partial_unexpected_list: [],
      details: { stored_series: 2, series_checked: 2, series_with_gap: 0, missing_steps: 0 },
    });
    expect(run(batch, "expect_column_values_to_continue_stored_series", kwargs).success).toBe(true);
  });

  it("refuses a batch that starts after a live stored series' next hour, naming the missing hours", () => {
    // Series 1 was stored to T0 and the batch starts at T0 + 4 h: three hours would be missing.
    const batch = tbl({ g: [1, 1, 2], t: [T0 + 4 * H, T0 + 5 * H, T0 + H] });
    const ref = stored([
      ["1", T0, 10],
      ["2", T0, 10],
    ]);
    const r = run(batch, "expect_column_values_to_continue_stored_series", kwargs, ref);
    expect(r.success).toBe(false);
    expect(r.result.partial_unexpected_list).toEqual([{ g: 1, last_stored: "2023-01-10T00:00Z", first_in_batch: "2023-01-10T04:00Z", missing_steps: 3 }]);
    expect(r.result.details).toEqual({
      stored_series: 2,
      series_checked: 2,
      series_with_gap: 1,
      missing_steps: 3,
      fill: ["2023-01-10T01:00Z", "2023-01-10T04:00Z"],
    });
    expect(message(batch, "expect_column_values_to_continue_stored_series", kwargs, ref)).toBe(
      "validate: 1 of 1 expectations failed for the batch: expect_column_values_to_continue_stored_series(t, g) 1 of 2 stored series would be left " +
        'with a gap after their last stored hour: the hours 2023-01-10T01:00Z..2023-01-10T04:00Z are missing (3 steps in all), e.g. {"g":1,"last_stored":"2023-01-10T00:00Z","first_in_batch":"2023-01-10T04:00Z","missing_steps":3}; ' +
        "fix the source data or the suite",
    );
  });

  it("lets a series that had stopped before continue_from, and a new series, start anywhere", () => {
    // Series 3 stopped two days before; series 4 is new.
    const batch = tbl({ g: [3, 4], t: [T0 + 5 * H, T0 + 9 * H] });
    const r = run(batch, "expect_column_values_to_continue_stored_series", kwargs, stored([["3", T0 - 48 * H, 10]]));
    expect(r.success).toBe(true);
    expect(r.result.details).toMatchObject({ stored_series: 1, series_checked: 0 });
  });

  it("leaves rows at or after visible_until to the visibility check", () => {
    const batch = tbl({ g: [1], t: [Date.parse("2099-01-01T00:00:00Z")] });
    const r = run(batch, "expect_column_values_to_continue_stored_series", { ...kwargs, visible_until: "2023-01-11T00:00Z" }, stored([["1", T0, 10]]));
    expect(r.success).toBe(true);
  });

  it("keys multi-column series like the series module", () => {
    const batch = tbl({ a: ["DK1", "DK1"], b: [111, 112], t: [T0 + H, T0 + 3 * H] });
    const ref = stored([
      ["DK1\u001f111", T0, 5],
      ["DK1\u001f112", T0, 5],
    ]);
    const r = run(batch, "expect_column_values_to_continue_stored_series", { ...kwargs, group_by: ["a", "b"] }, ref);
    expect(r.result.partial_unexpected_list).toEqual([
      { a: "DK1", b: 112, last_stored: "2023-01-10T00:00Z", first_in_batch: "2023-01-10T03:00Z", missing_steps: 2 },
    ]);
  });
});

describe("expect_column_values_to_be_visible", () => {
  const kwargs = { column: "t", visible_until: "2023-01-15T00:00Z" };

  it("passes on rows before the visible time", () => {
    const r = run(tbl({ t: [T0, T0 + H, null] }), "expect_column_values_to_be_visible", kwargs);
    expect(r.success).toBe(true);
    expect(r.result).toMatchObject({ element_count: 3, missing_count: 1, unexpected_count: 0 });
  });

  it("refuses a row dated at or after it, listed as a time", () => {
    const batch = tbl({ t: [T0, Date.parse("2023-01-15T00:00:00Z"), Date.parse("2099-01-01T00:00:00Z")] });
    const r = run(batch, "expect_column_values_to_be_visible", kwargs);
    expect(r.result).toMatchObject({
      unexpected_count: 2,
      partial_unexpected_list: ["2023-01-15T00:00Z", "2099-01-01T00:00Z"],
      partial_unexpected_index_list: [1, 2],
    });
    expect(message(batch, "expect_column_values_to_be_visible", kwargs)).toBe(
      "validate: 1 of 1 expectations failed for the batch: expect_column_values_to_be_visible(t) 2 of 3 rows (66.7%) are dated at or after the visible time 2023-01-15T00:00Z, " +
        "e.g. [2023-01-15T00:00Z, 2099-01-01T00:00Z]; fix the source data or the suite",
    );
  });

  it("refuses an unreadable visible_until when the suite is loaded", () => {
    expect(() => run(tbl({ t: [T0] }), "expect_column_values_to_be_visible", { column: "t", visible_until: "soon" })).toThrow(
      'config: suite "test" is invalid: expectations[0] (expect_column_values_to_be_visible): visible_until must be an ISO instant such as 2023-01-15T00:00Z, got "soon"; fix the suite',
    );
  });
});

describe("expect_column_values_to_be_plausible", () => {
  const kwargs = { column: "v", group_by: ["g"], max_ratio: 50, absolute_max: FLOAT32_MAX, time_column: "t" };
  const times = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * H);

  it("passes on values within 50 x the stored maximum, or 50 x the batch median of a new series", () => {
    const batch = tbl({ g: [1, 1, 2, 2, 2], t: times(5), v: [499, 0, 10, 12, 11] });
    const r = run(batch, "expect_column_values_to_be_plausible", kwargs, stored([["1", T0, 10]]));
    expect(r.success).toBe(true);
    expect(r.result.details).toEqual({ series_bounded_by_stored_max: 1, series_bounded_by_batch_median: 1 });
  });

  it("refuses a value above 50 x the series' stored maximum", () => {
    const batch = tbl({ g: [1, 1], t: times(2), v: [12, 501] });
    const r = run(batch, "expect_column_values_to_be_plausible", kwargs, stored([["1", T0, 10]]));
    expect(r.result).toMatchObject({
      unexpected_count: 1,
      partial_unexpected_list: [{ g: 1, t: "2023-01-10T01:00Z", value: 501, limit: 500, basis: "50 x stored max 10" }],
      partial_unexpected_index_list: [1],
    });
  });

  it("refuses a value above 50 x the batch median of a series the store does not hold", () => {
    const batch = tbl({ g: [7, 7, 7], t: times(3), v: [10, 12, 700] });
    expect(run(batch, "expect_column_values_to_be_plausible", kwargs).result.partial_unexpected_list).toEqual([
      { g: 7, t: "2023-01-10T02:00Z", value: 700, limit: 600, basis: "50 x batch median 12" },
    ]);
  });

  it("refuses 1e308 and infinities always, even as a new series' only value and with the ratio off", () => {
    const batch = tbl({ g: [9, 8], t: times(2), v: [1e308, Infinity] });
    const off = { ...kwargs, max_ratio: 0 };
    expect(run(batch, "expect_column_values_to_be_plausible", off).result.partial_unexpected_list).toEqual([
      { g: 9, t: "2023-01-10T00:00Z", value: 1e308, limit: FLOAT32_MAX, basis: "absolute_max" },
      { g: 8, t: "2023-01-10T01:00Z", value: "Infinity", limit: FLOAT32_MAX, basis: "absolute_max" },
    ]);
    expect(message(tbl({ g: [9], t: [T0], v: [1e308] }), "expect_column_values_to_be_plausible", kwargs)).toBe(
      "validate: 1 of 1 expectations failed for the batch: expect_column_values_to_be_plausible(v, g) 1 of 1 values are implausible, " +
        'e.g. [{"g":9,"t":"2023-01-10T00:00Z","value":1e+308,"limit":3.4028234663852886e+38,"basis":"absolute_max"}]; fix the source data or the suite',
    );
  });

  it("refuses a max_ratio between 0 and 1 when the suite is loaded", () => {
    expect(() =>
      run(tbl({ g: [1], v: [1] }), "expect_column_values_to_be_plausible", { column: "v", group_by: ["g"], max_ratio: 0.5, absolute_max: 1 }),
    ).toThrow(
      'config: suite "test" is invalid: expectations[0] (expect_column_values_to_be_plausible): max_ratio must be 0 (off) or at least 1, got 0.5; fix the suite',
    );
  });
});

describe("assertValid", () => {
  it("ends with the caller's advice when given", () => {
    const result = validate(
      tbl({ t: [Date.parse("2099-01-01T00:00:00Z")] }),
      suiteOf(["expect_column_values_to_be_visible", { column: "t", visible_until: "2023-01-15T00:00Z" }]),
      { now: NOW },
    );
    expect(() => assertValid(result, "x", undefined, "remove the row")).toThrow(/; remove the row$/);
  });
});
