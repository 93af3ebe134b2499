import { describe, expect, it } from "vitest";
import { renderValidationSummary, validate } from "../../src/validation/index.js";
import { NOW, suiteOf, tbl } from "./helpers.js";

describe("renderValidationSummary", () => {
  it("prints one aligned line per expectation with status, observed value and unexpected count", () => {
    const r = validate(
      tbl({ a: [1, -1, null], b: ["x", "y", "z"] }),
      suiteOf(
        ["expect_table_column_count_to_equal", { value: 2 }],
        ["expect_column_values_to_be_between", { column: "a", min_value: 0 }],
        ["expect_column_min_to_be_between", { column: "nope", min_value: 0 }],
      ),
      { now: NOW },
    );
    expect(renderValidationSummary(r)).toBe(
      [
        "suite test: 1 of 3 expectations passed (33.3%) at 2023-02-01T00:00:00.000Z — 2 FAILED",
        "   expectation                            observed                                          unexpected",
        "✓  expect_table_column_count_to_equal     2                                                 -",
        "✗  expect_column_values_to_be_between(a)  e.g. -1                                           1 (50%)",
        '✗  expect_column_min_to_be_between(nope)  exception: validate: column "nope" not found; t…  -',
      ].join("\n"),
    );
  });

  it("has no FAILED marker when everything passed", () => {
    const r = validate(tbl({ a: [1] }), suiteOf(["expect_table_column_count_to_equal", { value: 1 }]), { now: NOW });
    expect(renderValidationSummary(r).split("\n")[0]).toBe("suite test: 1 of 1 expectations passed (100%) at 2023-02-01T00:00:00.000Z");
  });
});
