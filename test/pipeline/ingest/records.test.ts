import { describe, expect, it } from "vitest";
import { DE35, type DatasetSpec } from "../../../src/pipeline/dataset/spec.js";
import { ConfigError, PipelineError } from "../../../src/pipeline/core/errors.js";
import {
  columnsExtent,
  parseSourceTime,
  recordsToColumns,
  recordsToTable,
  sliceByTime,
  sortByTime,
} from "../../../src/pipeline/ingest/records.js";

const rec = (over: Record<string, unknown> = {}) => ({
  HourUTC: "2023-01-01T00:00:00",
  HourDK: "2023-01-01T01:00:00",
  PriceArea: "DK1",
  ConsumerType_DE35: 111,
  TotalCon: 65874,
  ...over,
});

const H = 3_600_000;
const T0 = Date.UTC(2023, 0, 1);

function errorOf(f: () => unknown): PipelineError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineError);
    return e as PipelineError;
  }
  throw new Error("expected an error");
}

describe("recordsToTable", () => {
  it("keeps exactly the spec's five columns in role order, with source strings and JS numbers", () => {
    const t = recordsToTable(
      [rec({ Extra: "dropped" }), rec({ HourUTC: "2023-01-01T01:00", PriceArea: "DK2", ConsumerType_DE35: "112", TotalCon: null })],
      DE35,
      "test",
    );
    expect(t.columnNames()).toEqual(["HourUTC", "HourDK", "PriceArea", "ConsumerType_DE35", "TotalCon"]);
    expect(t.objects()).toEqual([
      { HourUTC: "2023-01-01T00:00:00", HourDK: "2023-01-01T01:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 65874 },
      { HourUTC: "2023-01-01T01:00", HourDK: "2023-01-01T01:00:00", PriceArea: "DK2", ConsumerType_DE35: 112, TotalCon: null },
    ]);
  });

  it("uses the spec's column names (a successor dataset)", () => {
    const spec: DatasetSpec = {
      ...DE35,
      columns: { timeUtc: "TimeUTC", timeLocal: "TimeDK", area: "Area", consumerType: "Industry", value: "kWh" },
    };
    const t = recordsToTable([{ TimeUTC: "2024-05-01T10:00", TimeDK: "2024-05-01T12:00", Area: "DK2", Industry: 7, kWh: 1.5 }], spec, "test");
    expect(t.columnNames()).toEqual(["TimeUTC", "TimeDK", "Area", "Industry", "kWh"]);
    expect(t.objects()[0]).toEqual({ TimeUTC: "2024-05-01T10:00", TimeDK: "2024-05-01T12:00", Area: "DK2", Industry: 7, kWh: 1.5 });
  });

  it("returns an empty table with the five columns for no records", () => {
    const t = recordsToTable([], DE35, "test");
    expect(t.numRows()).toBe(0);
    expect(t.columnNames()).toHaveLength(5);
  });

  it("names the missing column, the columns found and the setting to change (schema drift)", () => {
    const drifted = { HourUTC: "2023-01-01T00:00:00", HourDK: "2023-01-01T01:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, Consumption: 5 };
    const e = errorOf(() => recordsToTable([rec(), drifted], DE35, "API page"));
    expect(e.message).toBe(
      'ingest: API page: record 1 lacks column(s) "TotalCon"; the dataset\'s columns are HourUTC, HourDK, PriceArea, ConsumerType_DE35, Consumption, ' +
        "expected HourUTC, HourDK, PriceArea, ConsumerType_DE35, TotalCon; the dataset's schema changed: set EDS_COLUMN_VALUE (the dataset spec's column names) to match",
    );
  });

  it("names record, column, actual and expected value for a wrong type", () => {
    const e = errorOf(() => recordsToTable([rec(), rec(), rec({ TotalCon: "12.5 kWh" })], DE35, "API page"));
    expect(e.message).toBe(
      'ingest: API page: record 2 column "TotalCon" is "12.5 kWh" (string), expected a finite number or null; ' +
        "the source's data does not match the dataset spec: check that EDS_COLUMN_VALUE names the right column, or fix the source data",
    );
  });

  it.each([
    ["HourUTC", "2023-01-01 00:00:00", 'column "HourUTC" is "2023-01-01 00:00:00" (string), expected a time like'],
    ["HourUTC", "2023-02-30T00:00:00", 'column "HourUTC" is "2023-02-30T00:00:00" (string), expected a time like'],
    ["HourUTC", 1672531200000, 'column "HourUTC" is 1672531200000 (number), expected a time like'],
    ["HourDK", null, 'column "HourDK" is null, expected a time like "2022-12-21T17:00:00"'],
    ["PriceArea", 1, 'column "PriceArea" is 1 (number), expected a price area string like "DK1"'],
    ["ConsumerType_DE35", 111.5, 'column "ConsumerType_DE35" is 111.5 (number), expected an integer code like 111'],
    ["ConsumerType_DE35", "abc", 'column "ConsumerType_DE35" is "abc" (string), expected an integer code like 111'],
    ["TotalCon", true, 'column "TotalCon" is true (boolean), expected a finite number or null'],
  ])("rejects %s = %j", (column, value, text) => {
    const e = errorOf(() => recordsToTable([rec({ [column]: value })], DE35, "src"));
    expect(e.message).toContain(`ingest: src: record 0 ${text}`);
  });

  it("rejects a record that is not an object", () => {
    const e = errorOf(() => recordsToTable([rec(), "HourUTC;HourDK"], DE35, "src"));
    expect(e.message).toBe(
      'ingest: src: record 1 is "HourUTC;HourDK" (string), expected an object with columns HourUTC, HourDK, PriceArea, ConsumerType_DE35, TotalCon; the source did not return rows: check the source',
    );
  });

  it("rejects a spec mapping two roles to one column", () => {
    const spec: DatasetSpec = { ...DE35, columns: { ...DE35.columns, timeLocal: "HourUTC" } };
    expect(() => recordsToTable([rec()], spec, "src")).toThrow(ConfigError);
  });

  it("labels rows with the caller's label (CSV lines)", () => {
    const e = errorOf(() => recordsToColumns([rec(), rec({ PriceArea: null })], DE35, "file", (i) => `line ${i + 2}`));
    expect(e.message).toMatch(/^ingest: file: line 3 column "PriceArea" is null, expected/);
  });

  it("checks 100k records quickly", () => {
    const records = Array.from({ length: 100_000 }, (_, i) =>
      rec({ HourUTC: new Date(T0 + Math.floor(i / 76) * H).toISOString().slice(0, 19), TotalCon: i }),
    );
    const t0 = performance.now();
    const t = recordsToTable(records, DE35, "src");
    const ms = performance.now() - t0;
    expect(t.numRows()).toBe(100_000);
    expect(t.get("TotalCon", 99_999)).toBe(99_999);
    expect(ms).toBeLessThan(2_000); // about 15-50 ms here; the bound only catches pathologies
  });
});

describe("raw column helpers", () => {
  it("parses source times as UTC and rejects impossible ones", () => {
    expect(parseSourceTime("2023-01-01T05:00:00")).toBe(T0 + 5 * H);
    expect(parseSourceTime("2023-01-01T05:00")).toBe(T0 + 5 * H);
    expect(parseSourceTime("2023-01-01T24:00")).toBeNaN();
    expect(parseSourceTime("2023-01-01T05:00:00Z")).toBeNaN();
    expect(parseSourceTime("2024-02-29T00:00")).toBe(Date.UTC(2024, 1, 29));
    expect(parseSourceTime("2023-02-29T00:00")).toBeNaN();
  });

  it("sorts stably by time, slices half-open ranges and reports the extent", () => {
    const cols = recordsToColumns(
      [
        rec({ HourUTC: "2023-01-01T02:00:00", ConsumerType_DE35: 1 }),
        rec({ HourUTC: "2023-01-01T00:00:00", ConsumerType_DE35: 2 }),
        rec({ HourUTC: "2023-01-01T02:00:00", ConsumerType_DE35: 3 }),
        rec({ HourUTC: "2023-01-01T01:00:00", ConsumerType_DE35: 4 }),
      ],
      DE35,
      "src",
    );
    const sorted = sortByTime(cols);
    expect(sorted.consumerType).toEqual([2, 4, 1, 3]);
    expect(columnsExtent(sorted)).toEqual({ start: T0, end: T0 + 3 * H });
    expect(sliceByTime(sorted, { start: T0 + H, end: T0 + 2 * H }).consumerType).toEqual([4]);
    expect(sliceByTime(sorted, { start: T0 + H, end: T0 + 3 * H }).consumerType).toEqual([4, 1, 3]);
    expect(sliceByTime(sorted, { start: T0 + 3 * H, end: T0 + 9 * H }).times).toEqual([]);
  });
});
