import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/pipeline/core/errors.js";
import { applyDatasetFlags, checkSpec, DEFAULT_PRESET, loadPreset, PRESET_NAMES } from "../../../src/pipeline/dataset/preset.js";
import {
  datasetCalendar,
  datasetInfo,
  featureColumns,
  keyColumns,
  LEGACY_DE35_INFO,
  sourceColumns,
  storedCalendar,
  type DatasetSpec,
} from "../../../src/pipeline/dataset/spec.js";
import { DANISH_CALENDAR } from "../../../src/pipeline/features/calendar.js";

const FLAGS = "the dataset flags (--keys/--time/--time-zone/--value/--unit/--unit-column/--calendar-zone/--holidays)";

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("shipped presets", () => {
  it.each(PRESET_NAMES.map((n) => [n]))("%s loads, checks and describes an Energi Data Service dataset", (name) => {
    const spec = loadPreset(name);
    expect(spec.name).toBe(name);
    expect(spec.api?.dataset).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    expect(spec.api?.cadence).toBe("daily");
    expect(spec.time).toEqual({ source: "HourUTC", zone: "UTC" });
    expect(spec.keys.length).toBeGreaterThan(0);
    expect(checkSpec(JSON.parse(JSON.stringify(spec)), name)).toEqual(spec);
    expect(featureColumns(spec)).toEqual(["datetime_utc", ...spec.keys.map((k) => k.name), "energy_consumption"]);
    // Danish series: the preset supplies Copenhagen's clock and Denmark's holidays, and the store records them.
    expect(spec.calendar).toEqual(DANISH_CALENDAR);
    expect(datasetInfo(spec).calendar).toEqual(DANISH_CALENDAR);
  });

  it("has the columns the service documented for each dataset", () => {
    const shape = (s: DatasetSpec) => [s.api?.dataset, sourceColumns(s), s.keys.map((k) => `${k.name}:${k.type}`), s.value.unit];
    expect(PRESET_NAMES.map((n) => shape(loadPreset(n)))).toEqual([
      ["ConsumptionDE35Hour", ["HourUTC", "PriceArea", "ConsumerType_DE35", "TotalCon"], ["area:int8", "consumer_type:int32"], "kWh"],
      ["ProductionConsumptionSettlement", ["HourUTC", "PriceArea", "GrossConsumptionMWh"], ["PriceArea:utf8"], "MWh"],
      ["ConsumptionIndustry", ["HourUTC", "MunicipalityNo", "Branche", "ConsumptionkWh"], ["MunicipalityNo:utf8", "Branche:utf8"], "kWh"],
      [
        "PrivIndustryConsumptionHour",
        ["HourUTC", "MunicipalityNo", "HousingCategory", "HeatingCategory", "ConsumptionkWh"],
        ["MunicipalityNo:utf8", "HousingCategory:utf8", "HeatingCategory:utf8"],
        "kWh",
      ],
    ]);
  });

  it("keeps DE35 the default, with the reference's codes, 38 consumer types and the legacy store layout", () => {
    expect(DEFAULT_PRESET).toBe("de35");
    const de35 = loadPreset("de35");
    expect(de35.keys[0].codes).toEqual({ DK: 0, DK1: 1, DK2: 2 });
    expect(de35.keys[1].values).toHaveLength(38);
    // The store layout of stores written before datasets were recorded; titles are presentation only.
    const info = datasetInfo(de35);
    const layout = (i: typeof info) => ({ name: i.name, unit: i.unit, keys: i.keys.map((k) => ({ name: k.name, type: k.type })) });
    expect(layout(info)).toEqual(layout(LEGACY_DE35_INFO));
    expect(info.keys[0].titles).toEqual(LEGACY_DE35_INFO.keys[0].titles);
    expect(info.keys[1].titles?.["111"]).toBe("consumer type 111");
    expect(keyColumns(de35)).toEqual([
      { name: "area", type: "int8" },
      { name: "consumer_type", type: "int32" },
    ]);
  });
});

describe("loadPreset", () => {
  const dir = mkdtempSync(join(tmpdir(), "preset-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a preset file by path, relative to the working directory, with defaults filled in", () => {
    writeFileSync(
      join(dir, "meters.json"),
      JSON.stringify({ name: "meters", keys: [{ source: "meter" }], time: { source: "t" }, value: { source: "v", unit: "Wh" } }),
    );
    expect(loadPreset("meters.json", dir)).toEqual({
      name: "meters",
      title: "meters",
      time: { source: "t", zone: "UTC" },
      keys: [{ source: "meter", name: "meter", type: "utf8" }],
      value: { source: "v", unit: "Wh" },
    });
    expect(loadPreset(join(dir, "meters.json")).name).toBe("meters");
  });

  it("names an unknown preset, an unreadable file and a bad field", () => {
    expect(messageOf(() => loadPreset("de36"))).toBe(
      'config: dataset "de36" is not a preset; use one of de35, production-consumption-settlement, consumption-industry, priv-industry-consumption-hour, a path to a preset .json file, or --keys/--time/--value for any long table',
    );
    writeFileSync(join(dir, "broken.json"), "{ name: ");
    expect(messageOf(() => loadPreset("broken.json", dir))).toMatch(
      /^config: dataset preset "broken\.json" cannot be read as JSON \(.+\); fix the file or pick a shipped preset$/,
    );
    expect(messageOf(() => loadPreset("missing.json", dir))).toMatch(
      /^config: dataset preset "missing\.json" cannot be read as JSON \(ENOENT: .+\); fix the file or pick a shipped preset$/,
    );
    writeFileSync(
      join(dir, "typed.json"),
      JSON.stringify({ name: "x", keys: [{ source: "k", type: "int64" }], time: { source: "t" }, value: { source: "v", unit: "kWh" } }),
    );
    expect(messageOf(() => loadPreset("typed.json", dir))).toBe('config: dataset preset "typed.json": keys[0].type must be int8, int32 or utf8, got "int64"');
  });
});

describe("applyDatasetFlags", () => {
  it("builds a spec for any long table from --keys/--time/--time-zone/--value/--unit", () => {
    expect(applyDatasetFlags(undefined, { keys: "meter_id, site:int", time: "read_at", timeZone: "Europe/Copenhagen", value: "kwh", unit: "MWh" })).toEqual({
      name: "file",
      title: "Hourly panel from a file",
      time: { source: "read_at", zone: "Europe/Copenhagen" },
      keys: [
        { source: "meter_id", name: "meter_id", type: "utf8" },
        { source: "site", name: "site", type: "int32" },
      ],
      value: { source: "kwh", unit: "MWh" },
    });
    // Defaults: UTC and kWh; `:string` is the default type spelled out.
    expect(applyDatasetFlags(undefined, { keys: "meter:string", time: "t", value: "v" })).toMatchObject({
      time: { source: "t", zone: "UTC" },
      keys: [{ source: "meter", name: "meter", type: "utf8" }],
      value: { source: "v", unit: "kWh" },
    });
  });

  it("returns the preset without flags; a zone or unit alone keeps the preset, new columns make a new dataset", () => {
    const de35 = loadPreset("de35");
    expect(applyDatasetFlags(de35, {})).toBe(de35);
    expect(applyDatasetFlags(de35, { keys: undefined })).toBe(de35);
    const zoned = applyDatasetFlags(de35, { timeZone: "Europe/Copenhagen", unit: "MWh" });
    expect(zoned).toMatchObject({
      name: "de35",
      api: de35.api,
      extraColumns: ["HourDK"],
      keys: de35.keys,
      time: { source: "HourUTC", zone: "Europe/Copenhagen" },
      value: { source: "TotalCon", unit: "MWh" },
    });
    const renamed = applyDatasetFlags(de35, { time: "HourDK", timeZone: "Europe/Copenhagen" });
    expect(renamed.name).toBe("file");
    expect(renamed.keys).toEqual(de35.keys);
    expect(renamed.extraColumns).toBeUndefined();
  });

  it("gives a table from flags its time zone and no holidays, unless --calendar-zone or --holidays say otherwise", () => {
    const table = { keys: "meter", time: "t", value: "v", timeZone: "America/New_York" };
    const plain = applyDatasetFlags(undefined, table);
    expect(plain.calendar).toBeUndefined();
    expect(datasetCalendar(plain)).toEqual({ zone: "America/New_York", holidays: "none" });
    expect(datasetInfo(plain).calendar).toEqual({ zone: "America/New_York", holidays: "none" });
    expect(applyDatasetFlags(undefined, { ...table, holidays: "DK" }).calendar).toEqual({ zone: "America/New_York", holidays: "DK" });
    expect(applyDatasetFlags(undefined, { ...table, calendarZone: "Europe/Oslo" }).calendar).toEqual({ zone: "Europe/Oslo", holidays: "none" });
    // A preset's calendar stays under a zone flag, and a flag overrides one part of it.
    const de35 = loadPreset("de35");
    expect(applyDatasetFlags(de35, { timeZone: "Europe/Copenhagen" }).calendar).toEqual(DANISH_CALENDAR);
    expect(applyDatasetFlags(de35, { holidays: "none" }).calendar).toEqual({ zone: "Europe/Copenhagen", holidays: "none" });
    // A store written before calendars were recorded: its models were all built on the Danish one.
    expect(storedCalendar(LEGACY_DE35_INFO)).toEqual(DANISH_CALENDAR);
    expect(storedCalendar(datasetInfo(plain))).toEqual({ zone: "America/New_York", holidays: "none" });
    expect(messageOf(() => applyDatasetFlags(undefined, { ...table, holidays: "US" }))).toBe(
      `config: ${FLAGS}: calendar.holidays (--holidays) must be one of none, DK, got "US"`,
    );
    expect(messageOf(() => applyDatasetFlags(undefined, { ...table, calendarZone: "Oslo" }))).toBe(
      `config: ${FLAGS}: calendar.zone (--calendar-zone) "Oslo" is not a known IANA time zone; use UTC or a name like Europe/Copenhagen`,
    );
  });

  it("gives the exact error for each bad input", () => {
    expect(messageOf(() => applyDatasetFlags(undefined, {}))).toBe("config: no dataset: set --dataset <preset> or --keys, --time and --value");
    expect(messageOf(() => applyDatasetFlags(undefined, { keys: "meter_id" }))).toBe(
      "config: a dataset given by flags needs --time, --value as well (the key column(s), the hour column and the value column); or pick a preset with --dataset",
    );
    expect(messageOf(() => applyDatasetFlags(undefined, { keys: "meter_id", time: "t" }))).toBe(
      "config: a dataset given by flags needs --value as well (the key column(s), the hour column and the value column); or pick a preset with --dataset",
    );
    expect(messageOf(() => applyDatasetFlags(undefined, { keys: "meter_id", time: "t", value: "v", unit: "kwh" }))).toBe(
      `config: ${FLAGS}: value.unit (--unit) must be one of Wh, kWh, MWh, GWh, kW, MW, got "kwh"`,
    );
    expect(messageOf(() => applyDatasetFlags(undefined, { keys: "meter_id", time: "t", timeZone: "Copenhagen", value: "v" }))).toBe(
      `config: ${FLAGS}: time.zone (--time-zone) "Copenhagen" is not a known IANA time zone; use UTC or a name like Europe/Copenhagen`,
    );
    expect(messageOf(() => applyDatasetFlags(undefined, { keys: "meter_id,t", time: "t", value: "v" }))).toBe(
      `config: ${FLAGS}: column "t" is used for two roles (time: t, keys: meter_id,t, value: v); each role needs its own column`,
    );
    expect(messageOf(() => applyDatasetFlags(undefined, { keys: "energy_consumption", time: "t", value: "v" }))).toBe(
      `config: ${FLAGS}: key column name "energy_consumption" is reserved for the pipeline's own columns; rename the column in the file, or give the key another stored name with keys[].name in a preset file`,
    );
    expect(messageOf(() => applyDatasetFlags(undefined, { keys: "a,,b", time: "t", value: "v" }))).toBe(
      'config: --keys must be a comma-separated list of column names like meter_id or MunicipalityNo,Branche, got "a,,b"',
    );
  });
});

describe("checkSpec", () => {
  it("names what a preset lacks", () => {
    expect(messageOf(() => checkSpec(null, "p"))).toBe("config: p: expected a JSON object with name, title, time, keys and value");
    expect(messageOf(() => checkSpec({ name: "x", keys: [{ source: "k" }], value: { source: "v", unit: "kWh" } }, "p"))).toBe(
      "config: p: lacks time: {source, zone}",
    );
    expect(messageOf(() => checkSpec({ name: "x", keys: [], time: { source: "t" }, value: { source: "v", unit: "kWh" } }, "p"))).toBe(
      "config: p: keys must be a non-empty list of key columns (--keys a[,b...])",
    );
    expect(messageOf(() => checkSpec({ name: "x", keys: [{ source: "" }], time: { source: "t" }, value: { source: "v", unit: "kWh" } }, "p"))).toBe(
      'config: p: keys[0].source must be a non-empty string, got ""',
    );
  });
});
