import { describe, expect, it } from "vitest";
import { transformRaw } from "../../../src/pipeline/ingest/transform.js";
import { recordsToColumns } from "../../../src/pipeline/ingest/records.js";
import { checkSpec, loadPreset } from "../../../src/pipeline/dataset/preset.js";

const DE35 = loadPreset("de35");

describe("transformRaw", () => {
  it("parses UTC hours, encodes areas as the reference did, and keeps the reference's columns for DE35", () => {
    const raw = recordsToColumns(
      [
        { HourUTC: "2022-12-21T16:00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 132199 },
        { HourUTC: "2022-12-21T17:00:00", PriceArea: "DK2", ConsumerType_DE35: 999, TotalCon: 578473.5 },
        { HourUTC: "2022-12-21T16:00:00", PriceArea: "DK", ConsumerType_DE35: "112", TotalCon: null },
      ],
      DE35,
      "test",
    );
    const { table, report } = transformRaw(raw, DE35);
    expect(table.columnNames()).toEqual(["datetime_utc", "area", "consumer_type", "energy_consumption"]);
    expect(table.objects()).toEqual([
      { datetime_utc: Date.UTC(2022, 11, 21, 16), area: 1, consumer_type: 111, energy_consumption: 132199 },
      { datetime_utc: Date.UTC(2022, 11, 21, 17), area: 2, consumer_type: 999, energy_consumption: 578473.5 },
      { datetime_utc: Date.UTC(2022, 11, 21, 16), area: 0, consumer_type: 112, energy_consumption: null },
    ]);
    expect(report).toEqual({ rows: 3, unknownCodes: {}, dst: { nonexistent: 0, repeated: 0 } });
  });

  it("leaves unknown codes as null and counts them per source column, for validation to reject", () => {
    const raw = recordsToColumns(
      [
        { HourUTC: "2023-01-01T00:00", PriceArea: "SE3", ConsumerType_DE35: 111, TotalCon: 1 },
        { HourUTC: "2023-01-01T00:00", PriceArea: "SE3", ConsumerType_DE35: 112, TotalCon: 1 },
        { HourUTC: "2023-01-01T00:00", PriceArea: "DK1", ConsumerType_DE35: 111, TotalCon: 1 },
      ],
      DE35,
      "test",
    );
    const { table, report } = transformRaw(raw, DE35);
    expect(table.array("area")).toEqual([null, null, 1]);
    expect(report.unknownCodes).toEqual({ PriceArea: { SE3: 2 } });
  });

  it("stores a live preset's string keys under their own names, and its value as energy_consumption", () => {
    const spec = loadPreset("consumption-industry");
    const raw = recordsToColumns(
      [{ HourUTC: "2024-01-01T00:00:00", HourDK: "2024-01-01T01:00:00", MunicipalityNo: 101, Branche: "Privat", ConsumptionkWh: 2.5 }],
      spec,
      "test",
    );
    expect(transformRaw(raw, spec).table.objects()).toEqual([
      { datetime_utc: Date.UTC(2024, 0, 1), MunicipalityNo: "101", Branche: "Privat", energy_consumption: 2.5 },
    ]);
  });

  it("reports the daylight-saving counts of the extract as a copy", () => {
    const spec = checkSpec(
      { name: "file", keys: [{ source: "id" }], time: { source: "t", zone: "Europe/Copenhagen" }, value: { source: "v", unit: "kWh" } },
      "test",
    );
    const raw = recordsToColumns(
      [
        { t: "2023-10-29T02:00", id: "a", v: 1 },
        { t: "2023-10-29T02:00", id: "a", v: 2 },
        { t: "2023-03-26T02:00", id: "a", v: 3 },
      ],
      spec,
      "test",
    );
    const { table, report } = transformRaw(raw, spec);
    expect(Array.from(table.array("datetime_utc") as ArrayLike<number>)).toEqual([
      Date.UTC(2023, 9, 29, 0),
      Date.UTC(2023, 9, 29, 1),
      Date.UTC(2023, 2, 26, 1),
    ]);
    expect(report.dst).toEqual({ nonexistent: 1, repeated: 1 });
    expect(report.dst).not.toBe(raw.dst);
  });

  it("accepts a unit column holding the dataset's unit and refuses one holding other units", () => {
    const spec = checkSpec(
      { name: "meters", keys: [{ source: "id" }], time: { source: "t" }, value: { source: "v", unit: "kWh" }, unitColumn: "unit" },
      "test",
    );
    const rec = (unit: string) => ({ t: "2023-01-01T00:00", id: "a", v: 1, unit });
    expect(transformRaw(recordsToColumns([rec("kWh"), rec("kWh")], spec, "test"), spec).report.rows).toBe(2);
    expect(() => transformRaw(recordsToColumns([rec("kWh"), rec("MWh"), rec("MWh")], spec, "test"), spec)).toThrow(
      'ingest: the unit column "unit" holds kWh (1 rows), MWh (2 rows); expected every row in kWh (--unit); convert the file to one unit or ingest each unit into its own store',
    );
  });
});
