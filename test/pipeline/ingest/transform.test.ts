import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import { transformRaw } from "../../../src/pipeline/ingest/transform.js";
import { DE35 } from "../../../src/pipeline/dataset/spec.js";

describe("transformRaw", () => {
  it("renames, parses UTC hours, encodes areas as the reference did", () => {
    const raw = aq.table({
      HourUTC: ["2022-12-21T16:00:00", "2022-12-21T17:00:00", "2022-12-21T16:00:00"],
      HourDK: ["2022-12-21T17:00:00", "2022-12-21T18:00:00", "2022-12-21T17:00:00"],
      PriceArea: ["DK1", "DK2", "DK"],
      ConsumerType_DE35: [111, 999, 112],
      TotalCon: [132199, 578473.5, null],
    });
    const { table, report } = transformRaw(raw, DE35);
    expect(table.objects()).toEqual([
      { datetime_utc: Date.UTC(2022, 11, 21, 16), area: 1, consumer_type: 111, energy_consumption: 132199 },
      { datetime_utc: Date.UTC(2022, 11, 21, 17), area: 2, consumer_type: 999, energy_consumption: 578473.5 },
      { datetime_utc: Date.UTC(2022, 11, 21, 16), area: 0, consumer_type: 112, energy_consumption: null },
    ]);
    expect(report).toEqual({ rows: 3, unknownAreas: {} });
  });

  it("leaves unknown areas as null and counts them, for validation to reject", () => {
    const raw = aq.table({ HourUTC: ["2023-01-01T00:00"], HourDK: ["2023-01-01T01:00"], PriceArea: ["SE3"], ConsumerType_DE35: [111], TotalCon: [1] });
    const { table, report } = transformRaw(raw, DE35);
    expect(table.get("area", 0)).toBeNull();
    expect(report.unknownAreas).toEqual({ SE3: 1 });
  });

  it("uses the configured column names of a successor dataset", () => {
    const spec = { ...DE35, columns: { timeUtc: "HourUTC", timeLocal: "HourDK", area: "MunicipalityNo", consumerType: "Branche", value: "ConsumptionkWh" }, areas: { "101": 5 } };
    const raw = aq.table({ HourUTC: ["2024-01-01T00:00:00"], HourDK: ["x"], MunicipalityNo: ["101"], Branche: [7], ConsumptionkWh: [2.5] });
    expect(transformRaw(raw, spec).table.objects()).toEqual([{ datetime_utc: Date.UTC(2024, 0, 1), area: 5, consumer_type: 7, energy_consumption: 2.5 }]);
  });
});
