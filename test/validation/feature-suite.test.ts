import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { featureSchema, keyColumns } from "../../src/pipeline/dataset/spec.js";
import { applyDatasetFlags, checkSpec, loadPreset } from "../../src/pipeline/dataset/preset.js";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import { writeParquet } from "../../src/pipeline/parquet/write.js";
import {
  assertValid,
  buildFeatureSuite,
  DEFAULT_FEATURE_SUITE_PATH,
  expectationLabel,
  failedExpectations,
  readDefaultFeatureSuite,
  validate,
  type ValidationResult,
} from "../../src/validation/index.js";
import { NOW, tbl } from "./helpers.js";

const DE35 = loadPreset("de35");
const FEATURE_SCHEMA = featureSchema(keyColumns(DE35));
const DATA_DIR = fileURLToPath(new URL("../../data/de35/", import.meta.url));
const H = 3_600_000;

interface Columns {
  datetime_utc: number[];
  area: number[];
  consumer_type: number[];
  energy_consumption: number[];
}

/** The genuine DE35 CSV in canonical columns: a minimal parse, independent of the ingest code. */
function readGenuine(): Columns {
  const file = readdirSync(DATA_DIR).find((f) => f.endsWith(".csv"))!;
  const lines = readFileSync(DATA_DIR + file, "utf8")
    .trim()
    .split("\n")
    .slice(1);
  const cols: Columns = { datetime_utc: [], area: [], consumer_type: [], energy_consumption: [] };
  for (const line of lines) {
    const [utc, , area, code, value] = line.trim().split(";");
    cols.datetime_utc.push(Date.parse(utc + "Z"));
    cols.area.push(area === "DK1" ? 1 : 2);
    cols.consumer_type.push(Number(code));
    cols.energy_consumption.push(Number(value));
  }
  return cols;
}

const genuine = readGenuine();
const copy = (): Columns => ({
  datetime_utc: [...genuine.datetime_utc],
  area: [...genuine.area],
  consumer_type: [...genuine.consumer_type],
  energy_consumption: [...genuine.energy_consumption],
});
const columnTypes = Object.fromEntries(FEATURE_SCHEMA);
const run = (cols: Columns): ValidationResult =>
  validate(tbl(cols as unknown as Record<string, number[]>), readDefaultFeatureSuite(), { now: NOW, columnTypes });
const failedLabels = (r: ValidationResult) => failedExpectations(r).map((x) => expectationLabel(x));

describe("the feature suite", () => {
  it("the shipped JSON file is buildFeatureSuite of the de35 preset, notes included", () => {
    expect(readDefaultFeatureSuite()).toEqual(buildFeatureSuite(DE35));
    expect(JSON.parse(readFileSync(DEFAULT_FEATURE_SUITE_PATH, "utf8"))).toEqual(buildFeatureSuite(DE35));
  });

  it("has the reference's ten expectations plus ours", () => {
    const types = buildFeatureSuite(DE35).expectations.map((e) => `${e.expectation_type}:${String(e.kwargs.column ?? "")}`);
    expect(types).toEqual([
      "expect_table_columns_to_match_ordered_list:",
      "expect_table_column_count_to_equal:",
      "expect_table_row_count_to_be_between:",
      "expect_column_values_to_not_be_null:datetime_utc",
      "expect_column_values_to_be_of_type:datetime_utc",
      "expect_column_values_to_not_be_null:area",
      "expect_column_distinct_values_to_be_in_set:area",
      "expect_column_values_to_be_of_type:area",
      "expect_column_values_to_not_be_null:consumer_type",
      "expect_column_distinct_values_to_be_in_set:consumer_type",
      "expect_column_values_to_be_of_type:consumer_type",
      "expect_column_min_to_be_between:energy_consumption",
      "expect_column_values_to_be_of_type:energy_consumption",
      "expect_column_values_to_not_be_null:energy_consumption",
      "expect_compound_columns_to_be_unique:",
      "expect_column_values_to_be_continuous_per_group:datetime_utc",
    ]);
  });

  it("takes each key's fixed value set from the dataset spec, sorted and without repeats", () => {
    const spec = checkSpec(
      {
        ...DE35,
        api: { ...DE35.api, dataset: "ConsumptionDE35Hour2" },
        keys: [
          { ...DE35.keys[0], values: [2, 1, 2] },
          { ...DE35.keys[1], values: [30, 10, 20] },
        ],
      },
      "test",
    );
    const suite = buildFeatureSuite(spec);
    const sets = suite.expectations.filter((e) => e.expectation_type === "expect_column_distinct_values_to_be_in_set").map((e) => e.kwargs.value_set);
    expect(sets).toEqual([
      [1, 2],
      [10, 20, 30],
    ]);
    expect(suite.meta.dataset).toBe("ConsumptionDE35Hour2");
  });

  it("passes on the genuine DE35 data", () => {
    expect(genuine.datetime_utc).toHaveLength(44_308);
    const r = run(genuine);
    expect(failedLabels(r)).toEqual([]);
    expect(r.statistics).toEqual({ evaluated_expectations: 16, successful_expectations: 16, unsuccessful_expectations: 0, success_percent: 100 });
    expect(r.results.find((x) => x.expectation_config.expectation_type === "expect_column_values_to_be_continuous_per_group")?.result.details).toEqual({
      groups: 76,
      gaps: 0,
      missing_steps: 0,
    });
  });

  it("fails on a negative value, naming the min expectation", () => {
    const cols = copy();
    cols.energy_consumption[1234] = -1;
    const r = run(cols);
    expect(failedLabels(r)).toEqual(["expect_column_min_to_be_between(energy_consumption)"]);
    expect(() => assertValid(r, "DE35 extract")).toThrow(
      "validate: 1 of 16 expectations failed for DE35 extract: expect_column_min_to_be_between(energy_consumption) observed -1, expected >= 0; fix the source data or the suite",
    );
  });

  it("fails on a duplicated key, naming the uniqueness expectation", () => {
    const cols = copy();
    for (const k of Object.keys(cols) as Array<keyof Columns>) cols[k].push(cols[k][0]);
    const r = run(cols);
    expect(failedLabels(r)).toEqual(["expect_compound_columns_to_be_unique(area, consumer_type, datetime_utc)"]);
    expect(failedExpectations(r)[0].result.partial_unexpected_list).toEqual([
      { area: 1, consumer_type: 111, datetime_utc: Date.parse("2022-12-21T16:00:00Z"), count: 2 },
    ]);
  });

  it("fails on an unknown consumer type, naming the consumer_type set", () => {
    const cols = copy();
    // The last row is the last hour of its series, so changing its code leaves no gap behind.
    cols.consumer_type[cols.consumer_type.length - 1] = 123456;
    const r = run(cols);
    expect(failedLabels(r)).toEqual(["expect_column_distinct_values_to_be_in_set(consumer_type)"]);
    expect(failedExpectations(r)[0].result.details?.unexpected_values).toEqual([123456]);
  });

  it("fails on a missing hour, naming the continuity expectation", () => {
    const cols = copy();
    const target = cols.datetime_utc.findIndex((t, i) => t === Date.parse("2023-01-01T00:00:00Z") && cols.area[i] === 2 && cols.consumer_type[i] === 999);
    for (const k of Object.keys(cols) as Array<keyof Columns>) cols[k].splice(target, 1);
    const r = run(cols);
    expect(failedLabels(r)).toEqual(["expect_column_values_to_be_continuous_per_group(datetime_utc, area, consumer_type)"]);
    expect(failedExpectations(r)[0].result.partial_unexpected_list).toEqual([
      {
        area: 2,
        consumer_type: 999,
        after: new Date(Date.parse("2023-01-01T00:00:00Z") - H).toISOString(),
        before: "2023-01-01T01:00:00.000Z",
        missing_steps: 1,
      },
    ]);
  });

  it("fails the type expectation when a column is declared with another type", () => {
    const r = validate(tbl(genuine as unknown as Record<string, number[]>), readDefaultFeatureSuite(), {
      now: NOW,
      columnTypes: { ...columnTypes, area: "int32" },
    });
    expect(failedLabels(r)).toEqual(["expect_column_values_to_be_of_type(area)"]);
  });

  it("passes on the genuine data read back from parquet, inferring types from the Arrow storage", () => {
    const table = readParquet(writeParquet(tbl(genuine as unknown as Record<string, number[]>), FEATURE_SCHEMA), FEATURE_SCHEMA);
    const r = validate(table, readDefaultFeatureSuite(), { now: NOW });
    expect(failedLabels(r)).toEqual([]);
    const sources = r.results
      .filter((x) => x.expectation_config.expectation_type === "expect_column_values_to_be_of_type")
      .map((x) => x.result.details?.type_source);
    expect(sources).toEqual([
      "inferred from column storage (float64)",
      "inferred from column storage (int8)",
      "inferred from column storage (int32)",
      "inferred from column storage (float64)",
    ]);
  });
});

describe("the feature suite of other datasets", () => {
  const label = (suite: ReturnType<typeof buildFeatureSuite>) =>
    suite.expectations.map((e) => [
      e.expectation_type,
      e.kwargs.column ?? e.kwargs.column_list ?? e.kwargs.value ?? null,
      e.kwargs.value_set ?? e.kwargs.type_ ?? e.kwargs.group_by ?? null,
    ]);

  it("checks a string-keyed preset's key columns by name and type, and the one fixed set it has", () => {
    const suite = buildFeatureSuite(loadPreset("consumption-industry"));
    expect(suite.meta.dataset).toBe("ConsumptionIndustry");
    expect(label(suite)).toEqual([
      ["expect_table_columns_to_match_ordered_list", ["datetime_utc", "MunicipalityNo", "Branche", "energy_consumption"], null],
      ["expect_table_column_count_to_equal", 4, null],
      ["expect_table_row_count_to_be_between", null, null],
      ["expect_column_values_to_not_be_null", "datetime_utc", null],
      ["expect_column_values_to_be_of_type", "datetime_utc", "timestamp"],
      ["expect_column_values_to_not_be_null", "MunicipalityNo", null],
      // Municipalities are learned from the data: no set to check.
      ["expect_column_values_to_be_of_type", "MunicipalityNo", "utf8"],
      ["expect_column_values_to_not_be_null", "Branche", null],
      ["expect_column_distinct_values_to_be_in_set", "Branche", ["Erhverv", "Offentligt", "Privat"]],
      ["expect_column_values_to_be_of_type", "Branche", "utf8"],
      ["expect_column_min_to_be_between", "energy_consumption", null],
      ["expect_column_values_to_be_of_type", "energy_consumption", "float64"],
      ["expect_column_values_to_not_be_null", "energy_consumption", null],
      ["expect_compound_columns_to_be_unique", ["MunicipalityNo", "Branche", "datetime_utc"], null],
      ["expect_column_values_to_be_continuous_per_group", "datetime_utc", ["MunicipalityNo", "Branche"]],
    ]);
  });

  it("passes a tiny string-keyed table, a subset of the fixed set included, and names a value outside it", () => {
    const spec = loadPreset("consumption-industry");
    const columnTypes = Object.fromEntries(featureSchema(keyColumns(spec)));
    const t0 = Date.parse("2024-01-01T00:00:00Z");
    const table = (branche: string) =>
      tbl({
        datetime_utc: [t0, t0 + H, t0, t0 + H],
        MunicipalityNo: ["101", "101", "851", "851"],
        Branche: ["Privat", "Privat", branche, branche],
        energy_consumption: [1, 2, 3, 4],
      });
    const ok = validate(table("Erhverv"), buildFeatureSuite(spec), { now: NOW, columnTypes });
    expect(failedLabels(ok)).toEqual([]);
    const bad = validate(table("Landbrug"), buildFeatureSuite(spec), { now: NOW, columnTypes });
    expect(failedLabels(bad)).toEqual(["expect_column_distinct_values_to_be_in_set(Branche)"]);
    expect(failedExpectations(bad)[0].result.details?.unexpected_values).toEqual(["Landbrug"]);
  });

  it("checks no value set for a dataset given by flags, and names it by its spec name", () => {
    const spec = applyDatasetFlags(undefined, { keys: "meter_id", time: "read_at", value: "kwh" });
    const suite = buildFeatureSuite(spec);
    expect(suite.meta.dataset).toBe("file");
    expect(suite.expectations.some((e) => e.expectation_type === "expect_column_distinct_values_to_be_in_set")).toBe(false);
    expect(suite.expectations.find((e) => e.expectation_type === "expect_compound_columns_to_be_unique")?.kwargs.column_list).toEqual([
      "meter_id",
      "datetime_utc",
    ]);
  });

  it("accepts a subset of DE35's series: a filtered extract is valid data", () => {
    const cols = copy();
    const keep = cols.area.map((a, i) => a === 1 && cols.consumer_type[i] === 111);
    const only = Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, (v as number[]).filter((_, i) => keep[i])])) as unknown as Columns;
    expect(only.datetime_utc.length).toBe(44_308 / 76);
    expect(failedLabels(run(only))).toEqual([]);
  });
});
