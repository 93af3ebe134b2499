/**
 * How the report names series and values of any dataset: labels from the key values and the
 * dataset's titles, the stale and new series of a run manifest, and the unit the totals are shown in.
 */
import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import { LEGACY_DE35_INFO, type DatasetInfo } from "../../src/pipeline/dataset/spec.js";
import type { RunManifest } from "../../src/pipeline/run/manifest.js";
import { distinctSeries, runSeriesNotes, seriesRef, tableSeriesIds, withPresetTitles } from "../../reports/data/lib/series.js";
import { amount } from "../../reports/data/lib/store.js";
import { keyList, perHour, scaleUnit } from "../../reports/components/format.js";

const MUNICIPALITIES: DatasetInfo = {
  name: "file",
  title: "Hourly panel from a file",
  keys: [
    { name: "MunicipalityNo", type: "utf8", titles: { "101": "København" } },
    { name: "Branche", type: "utf8" },
  ],
  unit: "MWh",
};

describe("series of any dataset in the report", () => {
  it("labels a series by its values' titles where the dataset has them, else by the values", () => {
    expect(seriesRef([1, 111], LEGACY_DE35_INFO)).toEqual({ key: [1, 111], parts: ["DK1 (West Denmark)", "111"], label: "DK1 (West Denmark) · 111" });
    expect(seriesRef(["101", "Privat"], MUNICIPALITIES)).toEqual({ key: ["101", "Privat"], parts: ["København", "Privat"], label: "København · Privat" });
    expect(seriesRef(["751", "Privat"], MUNICIPALITIES).label).toBe("751 · Privat");
  });

  it("takes the titles a store's manifest lacks from the dataset's preset; the manifest's own titles win", () => {
    // Stores older than datasets record no titles at all (LEGACY_DE35_INFO has only the areas').
    const legacy = withPresetTitles(LEGACY_DE35_INFO);
    expect(seriesRef([1, 111], legacy).label).toBe("DK1 (West Denmark) · consumer type 111");
    expect(seriesRef([2, 999], legacy).parts).toEqual(["DK2 (East Denmark)", "consumer type 999"]);
    const renamed = withPresetTitles({ ...LEGACY_DE35_INFO, keys: [{ name: "area", type: "int8", titles: { "1": "West" } }, LEGACY_DE35_INFO.keys[1]] });
    expect(seriesRef([1, 111], renamed).label).toBe("West · consumer type 111");
    expect(seriesRef([2, 111], renamed).label).toBe("DK2 (East Denmark) · consumer type 111");
    // Another dataset, or a preset's name with other key columns, keeps what it has.
    expect(withPresetTitles(MUNICIPALITIES)).toBe(MUNICIPALITIES);
    const other = withPresetTitles({ ...LEGACY_DE35_INFO, keys: [{ name: "consumer_type", type: "utf8" }] });
    expect(seriesRef(["111"], other).label).toBe("111");
  });

  it("tells series apart by all their key columns, under the dataset's own column names", () => {
    const table = aq.table({
      MunicipalityNo: ["101", "101", "751", "101"],
      Branche: ["Privat", "Erhverv", "Privat", "Privat"],
      energy_consumption: [1, 2, 3, 4],
    });
    const ids = tableSeriesIds(table, MUNICIPALITIES);
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toBe(ids[3]);
    expect(Array.from(distinctSeries(table, MUNICIPALITIES).values())).toEqual([
      ["101", "Privat"],
      ["101", "Erhverv"],
      ["751", "Privat"],
    ]);
  });

  it("labels a run's stale and new series, and reads manifests written before series came and went", () => {
    const predict = {
      stale: [{ key: { MunicipalityNo: "751", Branche: "Andet" }, lastObserved: "2023-01-09T23:00:00.000Z", reason: "no observation at the origin" }],
      baseline: [
        { key: { MunicipalityNo: "101", Branche: "Andet" }, hours: 143 },
        { key: { MunicipalityNo: "101", Branche: "Privat" }, hours: 20 },
      ],
    } as unknown as RunManifest["predict"];
    expect(runSeriesNotes(predict, MUNICIPALITIES, 1)).toEqual({
      staleCount: 1,
      stale: [
        {
          key: ["751", "Andet"],
          parts: ["751", "Andet"],
          label: "751 · Andet",
          lastObserved: "2023-01-09T23:00:00.000Z",
          reason: "no observation at the origin",
        },
      ],
      baselineCount: 2,
      baseline: [{ key: ["101", "Andet"], parts: ["København", "Andet"], label: "København · Andet", hours: 143 }],
    });
    const old = {
      model: "gbm-blend",
      modelVersion: 1,
      origin: "2023-01-10T23:00:00.000Z",
      horizon: 24,
      series: 76,
      rows: 1824,
    } as unknown as RunManifest["predict"];
    expect(runSeriesNotes(old, LEGACY_DE35_INFO)).toEqual({ staleCount: 0, stale: [], baselineCount: 0, baseline: [] });
  });
});

describe("values of any unit in the report", () => {
  it("rounds values whatever their unit: whole from 1,000 up, four significant digits below", () => {
    expect([amount(132199.4), amount(812.075), amount(0.81234), amount(NaN), amount(null)]).toEqual([132199, 812.1, 0.8123, null, null]);
  });

  it("shows totals in the unit that keeps them under five digits, and says per hour for energy", () => {
    expect(scaleUnit("kWh", 3_502_123)).toEqual({ unit: "MWh", factor: 1000 });
    expect(scaleUnit("MWh", 3_502)).toEqual({ unit: "MWh", factor: 1 });
    expect(scaleUnit("Wh", 2e9)).toEqual({ unit: "MWh", factor: 1e6 });
    expect(scaleUnit("MW", 45_000)).toEqual({ unit: "GW", factor: 1000 });
    expect(perHour("MWh")).toBe("MWh per hour");
    expect(perHour("MW")).toBe("MW");
    expect(keyList(MUNICIPALITIES)).toBe("MunicipalityNo × Branche");
  });
});
