import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { validate, type ExpectationSuite, type ExpectationValidationResult, type Kwargs } from "../../src/validation/index.js";

/** Fixed validation time for every test. */
export const NOW = new Date("2023-02-01T00:00:00.000Z");

/** A tiny arquero table from column arrays. */
export function tbl(columns: Record<string, ArrayLike<unknown>>): ColumnTable {
  return aq.table(columns as Record<string, unknown[]>) as ColumnTable;
}

/** A suite holding the given expectations (no meta). */
export function suiteOf(...expectations: Array<[string, Kwargs]>): ExpectationSuite {
  return {
    expectation_suite_name: "test",
    expectations: expectations.map(([expectation_type, kwargs]) => ({ expectation_type, kwargs, meta: {} })),
    meta: {},
    data_asset_type: null,
  };
}

/** Runs one expectation on a table and returns its result. */
export function check(table: ColumnTable, type: string, kwargs: Kwargs, columnTypes?: Record<string, string>): ExpectationValidationResult {
  return validate(table, suiteOf([type, kwargs]), { now: NOW, columnTypes }).results[0];
}
