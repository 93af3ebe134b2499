import { describe, expect, it } from "vitest";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { applyDatasetFlags, loadPreset } from "../../../src/pipeline/dataset/preset.js";
import {
  columnsExtent,
  columnsToTable,
  concatColumns,
  countDst,
  emptyColumns,
  pickRows,
  filterColumns,
  recordsToColumns,
  sliceByTime,
  sortByTime,
} from "../../../src/pipeline/ingest/records.js";

const DE35 = loadPreset("de35");

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

describe("recordsToColumns", () => {
  it("keeps the spec's columns with source texts for coded keys and numbers for integer keys; extra columns are dropped", () => {
    const c = recordsToColumns(
      [rec({ Extra: "dropped" }), rec({ HourUTC: "2023-01-01T01:00", PriceArea: " DK2 ", ConsumerType_DE35: "112", TotalCon: null })],
      DE35,
      "test",
    );
    expect(c).toEqual({
      time: ["2023-01-01T00:00:00", "2023-01-01T01:00"],
      keys: [
        ["DK1", "DK2"],
        [111, 112],
      ],
      value: [65874, null],
      times: [T0, T0 + H],
      dst: { nonexistent: 0, repeated: 0 },
    });
    const t = columnsToTable(c, DE35);
    expect(t.columnNames()).toEqual(["HourUTC", "PriceArea", "ConsumerType_DE35", "TotalCon"]);
    expect(t.objects()[1]).toEqual({ HourUTC: "2023-01-01T01:00", PriceArea: "DK2", ConsumerType_DE35: 112, TotalCon: null });
  });

  it("uses the spec's column names (a live preset: one string key, MWh)", () => {
    const spec = loadPreset("production-consumption-settlement");
    const c = recordsToColumns([{ HourUTC: "2024-05-01T10:00", HourDK: "2024-05-01T12:00", PriceArea: "DK2", GrossConsumptionMWh: 1.5 }], spec, "test");
    expect(c.keys).toEqual([["DK2"]]);
    expect(c.value).toEqual([1.5]);
    expect(columnsToTable(c, spec).columnNames()).toEqual(["HourUTC", "PriceArea", "GrossConsumptionMWh"]);
  });

  it("reads times with an offset or Z as instants, also in a local-time dataset", () => {
    const local = applyDatasetFlags(undefined, { keys: "meter_id", time: "t", timeZone: "Europe/Copenhagen", value: "v" });
    const c = recordsToColumns(
      [
        { t: "2023-01-01T01:00:00+01:00", meter_id: "a", v: 1 },
        { t: "2023-01-01T00:00:00Z", meter_id: "b", v: 2 },
        { t: "2023-01-01T01:00:00", meter_id: "c", v: 3 },
      ],
      local,
      "test",
    );
    expect(c.times).toEqual([T0, T0, T0]);
    expect(recordsToColumns([rec({ HourUTC: "2023-01-01T02:00:00+01:00" })], DE35, "test").times).toEqual([T0 + H]);
  });

  it("never applies a daylight-saving rule to a time written with an offset", () => {
    const local = applyDatasetFlags(undefined, { keys: "meter_id", time: "t", timeZone: "Europe/Copenhagen", value: "v" });
    const c = recordsToColumns(
      [
        // As wall times these would not exist (26 March) or be repeated (29 October); as instants they are plain hours.
        { t: "2023-03-26T02:00:00Z", meter_id: "a", v: 1 },
        { t: "2023-10-29T02:00:00Z", meter_id: "a", v: 2 },
        // The first wall reading of the repeated hour in this series: the earlier instant.
        { t: "2023-10-29T02:00", meter_id: "a", v: 3 },
      ],
      local,
      "test",
    );
    expect(c.times).toEqual([Date.UTC(2023, 2, 26, 2), Date.UTC(2023, 9, 29, 2), Date.UTC(2023, 9, 29, 0)]);
    expect(c.dst).toEqual({ nonexistent: 0, repeated: 0 });
  });

  it("returns no rows for no records", () => {
    const c = recordsToColumns([], DE35, "test");
    expect(c).toEqual(emptyColumns(DE35));
    expect(columnsToTable(c, DE35).numRows()).toBe(0);
    expect(columnsToTable(c, DE35).columnNames()).toHaveLength(4);
  });

  it("names the missing column, the columns found and the preset to fix (schema drift)", () => {
    const drifted = { HourUTC: "2023-01-01T00:00:00", HourDK: "2023-01-01T01:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, Consumption: 5 };
    const e = errorOf(() => recordsToColumns([rec(), drifted], DE35, "API page"));
    expect(e.message).toBe(
      'ingest: API page: record 1 lacks column(s) "TotalCon"; the source\'s columns are HourUTC, HourDK, PriceArea, ConsumerType_DE35, Consumption, ' +
        "expected HourUTC, PriceArea, ConsumerType_DE35, TotalCon (columns the dataset spec does not know: Consumption); " +
        "the dataset's schema changed or the wrong dataset was picked: fix the preset file (src/pipeline/dataset/presets/de35.json) or pass --keys/--time/--value",
    );
  });

  it("names record, column, actual and expected value for a wrong type", () => {
    const e = errorOf(() => recordsToColumns([rec(), rec(), rec({ TotalCon: "12.5 kWh" })], DE35, "API page"));
    expect(e.message).toBe(
      'ingest: API page: record 2 column "TotalCon" is "12.5 kWh" (string), expected a finite number or null; ' +
        "the source's data does not match the dataset spec: check that --value (or the preset) names the right column, or fix the source data",
    );
  });

  it.each([
    ["HourUTC", "2023-01-01", 'column "HourUTC" is "2023-01-01" (string), expected a time like', "--time"],
    ["HourUTC", "2023-02-30T00:00:00", 'column "HourUTC" is "2023-02-30T00:00:00" (string), expected a time like', "--time"],
    ["HourUTC", 1672531200000, 'column "HourUTC" is 1672531200000 (number), expected a time like', "--time"],
    [
      "HourUTC",
      "2023-01-01T00:30:00",
      'column "HourUTC" is "2023-01-01T00:30:00" (string), expected the start of an hour (minutes and seconds 0): the data must be hourly',
      "--time",
    ],
    ["PriceArea", null, 'column "PriceArea" is null, expected a key text like "DK1" or "101"', "--keys"],
    ["PriceArea", 1.5, 'column "PriceArea" is 1.5 (number), expected a key text like "DK1" or "101"', "--keys"],
    ["ConsumerType_DE35", 111.5, 'column "ConsumerType_DE35" is 111.5 (number), expected an integer code like 111', "--keys"],
    ["ConsumerType_DE35", "abc", 'column "ConsumerType_DE35" is "abc" (string), expected an integer code like 111', "--keys"],
    ["TotalCon", true, 'column "TotalCon" is true (boolean), expected a finite number or null', "--value"],
  ])("rejects %s = %j", (column, value, text, flag) => {
    const e = errorOf(() => recordsToColumns([rec({ [column]: value })], DE35, "src"));
    expect(e.message).toContain(`ingest: src: record 0 ${text}`);
    expect(e.message).toContain(`check that ${flag} (or the preset) names the right column`);
  });

  it("no longer checks HourDK, which the preset lists as known but unused", () => {
    expect(recordsToColumns([rec({ HourDK: null })], DE35, "src").times).toEqual([T0]);
  });

  it("rejects a record that is not an object", () => {
    const e = errorOf(() => recordsToColumns([rec(), "HourUTC;HourDK"], DE35, "src"));
    expect(e.message).toBe(
      'ingest: src: record 1 is "HourUTC;HourDK" (string), expected an object with columns HourUTC, PriceArea, ConsumerType_DE35, TotalCon; the source did not return rows: check the source',
    );
  });

  it("labels rows with the caller's label (CSV lines)", () => {
    const e = errorOf(() => recordsToColumns([rec(), rec({ PriceArea: null })], DE35, "file", (i) => `line ${i + 2}`));
    expect(e.message).toMatch(/^ingest: file: line 3 column "PriceArea" is null, expected/);
  });

  it("checks 100k records quickly", () => {
    const records = Array.from({ length: 100_000 }, (_, i) => rec({ HourUTC: new Date(T0 + Math.floor(i / 76) * H).toISOString().slice(0, 19), TotalCon: i }));
    const t0 = performance.now();
    const c = recordsToColumns(records, DE35, "src");
    const ms = performance.now() - t0;
    expect(c.times).toHaveLength(100_000);
    expect(c.value[99_999]).toBe(99_999);
    expect(c.times[99_999]).toBe(T0 + Math.floor(99_999 / 76) * H);
    expect(ms).toBeLessThan(2_000); // about 15-50 ms here; the bound only catches pathologies
  });
});

describe("raw column helpers", () => {
  const cols = () =>
    recordsToColumns(
      [
        rec({ HourUTC: "2023-01-01T02:00:00", ConsumerType_DE35: 1 }),
        rec({ HourUTC: "2023-01-01T00:00:00", ConsumerType_DE35: 2, PriceArea: "DK2" }),
        rec({ HourUTC: "2023-01-01T02:00:00", ConsumerType_DE35: 3 }),
        rec({ HourUTC: "2023-01-01T01:00:00", ConsumerType_DE35: 4, PriceArea: "DK2" }),
      ],
      DE35,
      "src",
    );

  it("sorts stably by time, slices half-open ranges and reports the extent", () => {
    const sorted = sortByTime(cols());
    expect(sorted.keys[1]).toEqual([2, 4, 1, 3]);
    expect(sorted.time).toEqual(["2023-01-01T00:00:00", "2023-01-01T01:00:00", "2023-01-01T02:00:00", "2023-01-01T02:00:00"]);
    expect(columnsExtent(sorted)).toEqual({ start: T0, end: T0 + 3 * H });
    expect(columnsExtent(emptyColumns(DE35))).toBeUndefined();
    expect(sliceByTime(sorted, { start: T0 + H, end: T0 + 2 * H }).keys[1]).toEqual([4]);
    expect(sliceByTime(sorted, { start: T0 + H, end: T0 + 3 * H }).keys[1]).toEqual([4, 1, 3]);
    expect(sliceByTime(sorted, { start: T0 + 3 * H, end: T0 + 9 * H }).times).toEqual([]);
  });

  it("filters series by source key column, as the API's filter parameter does", () => {
    const c = sortByTime(cols());
    expect(filterColumns(c, DE35, undefined)).toBe(c);
    expect(filterColumns(c, DE35, {})).toBe(c);
    expect(filterColumns(c, DE35, { PriceArea: ["DK2"] }).keys).toEqual([
      ["DK2", "DK2"],
      [2, 4],
    ]);
    // Values compare as text: a filter given as "3" matches the integer key 3.
    expect(filterColumns(c, DE35, { PriceArea: ["DK1", "DK2"], ConsumerType_DE35: ["3", 4] }).keys[1]).toEqual([4, 3]);
    expect(filterColumns(c, DE35, { PriceArea: ["DK"] }).times).toEqual([]);
  });

  it("recounts daylight-saving readings for any subset of rows (a slice of a cached file)", () => {
    const local = applyDatasetFlags(undefined, { keys: "id", time: "t", timeZone: "Europe/Copenhagen", value: "v" });
    const c = recordsToColumns(
      [
        { t: "2023-10-29T02:00", id: "a", v: 1 },
        { t: "2023-10-29T02:00", id: "b", v: 1 },
        { t: "2023-10-29T02:00", id: "a", v: 2 },
        { t: "2023-03-26T02:00", id: "a", v: 3 },
        { t: "2023-10-29T02:00+01:00", id: "b", v: 2 },
      ],
      local,
      "src",
    );
    // The offset row is an instant: it needed no rule, though it is the repeated hour's later instant.
    expect(c.dst).toEqual({ nonexistent: 1, repeated: 1 });
    expect(countDst(c, "Europe/Copenhagen")).toEqual(c.dst);
    expect(countDst(pickRows(c, [0, 1]), "Europe/Copenhagen")).toEqual({ nonexistent: 0, repeated: 0 });
    expect(countDst(pickRows(c, [2, 3]), "Europe/Copenhagen")).toEqual({ nonexistent: 1, repeated: 1 });
    expect(countDst(c, "UTC")).toEqual({ nonexistent: 0, repeated: 0 });
  });

  it("appends pages in order and adds up their daylight-saving counts", () => {
    const a = { ...cols(), dst: { nonexistent: 1, repeated: 0 } };
    const b = { ...sliceByTime(sortByTime(cols()), { start: T0, end: T0 + H }), dst: { nonexistent: 0, repeated: 2 } };
    const both = concatColumns([a, b], DE35);
    expect(both.keys[1]).toEqual([1, 2, 3, 4, 2]);
    expect(both.times).toHaveLength(5);
    expect(both.dst).toEqual({ nonexistent: 1, repeated: 2 });
    expect(concatColumns([a], DE35)).toBe(a);
  });
});
