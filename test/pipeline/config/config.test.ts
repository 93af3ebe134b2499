import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/pipeline/config/config.js";
import { DEFAULT_STORE_DIR, EMBEDDED_DATA_PATH } from "../../../src/pipeline/config/paths.js";
import { parseInstant } from "../../../src/pipeline/time/index.js";
import { loadPreset } from "../../../src/pipeline/dataset/preset.js";
import { pathToFileURL } from "node:url";

describe("loadConfig", () => {
  it("has working defaults: bundled data, the de35 preset, local store, the reference's window", () => {
    const c = loadConfig({}, {}, "/work");
    expect(c.storeUri).toBe(pathToFileURL(DEFAULT_STORE_DIR).href);
    expect(c.source).toEqual({ kind: "file", location: EMBEDDED_DATA_PATH, embedded: true });
    expect(c.window).toEqual({ delayDays: 15, exportDays: 30 });
    expect(c.dataset).toEqual(loadPreset("de35"));
    expect(c.filter).toBeUndefined();
    expect(c.revisionHours).toBe(48);
    expect(c.api.maxWaitMs).toBe(300_000);
    expect(c.featureGroup).toEqual({ name: "energy_consumption", version: 1, cleanupGraceMs: 3_600_000 });
  });

  it("normalises store settings: flag over STORE_URI over the bucket name", () => {
    expect(loadConfig({ GOOGLE_CLOUD_BUCKET_NAME: "my-bucket", GOOGLE_CLOUD_BUCKET_PREFIX: "/energy/" }).storeUri).toBe("gs://my-bucket/energy");
    expect(loadConfig({ STORE_URI: "gs://b-1/x/", GOOGLE_CLOUD_BUCKET_NAME: "other" }).storeUri).toBe("gs://b-1/x");
    expect(loadConfig({ STORE_URI: "gs://b-1" }, { store: "out/store" }, "/tmp/w").storeUri).toBe("file:///tmp/w/out/store");
    expect(loadConfig({}, { store: "file:rel" }, "/tmp/w").storeUri).toBe("file:///tmp/w/rel");
    expect(() => loadConfig({ STORE_URI: "s3://bucket" })).toThrow(
      'config: store "s3://bucket" is not supported; use file:///abs/dir, a directory path, or gs://bucket/prefix',
    );
  });

  it("takes credentials from GOOGLE_APPLICATION_CREDENTIALS or the reference's variable", () => {
    expect(loadConfig({ GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON_PATH: "/k.json" }).gcp.keyFilename).toBe("/k.json");
    expect(loadConfig({ GOOGLE_APPLICATION_CREDENTIALS: "/a.json", GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON_PATH: "/k.json" }).gcp.keyFilename).toBe("/a.json");
  });

  it("reads sources", () => {
    expect(loadConfig({ SOURCE: "api", EDS_API_URL: "http://127.0.0.1:9/" }).source).toEqual({ kind: "api", baseUrl: "http://127.0.0.1:9" });
    expect(loadConfig({}, { source: "file:data.csv" }, "/w").source).toEqual({ kind: "file", location: "/w/data.csv", embedded: false });
  });

  it("selects a preset by DATASET or --dataset; its delay and revision days become the defaults", () => {
    const c = loadConfig({ DATASET: "consumption-industry" });
    expect(c.dataset).toEqual(loadPreset("consumption-industry"));
    expect(c.window.delayDays).toBe(9);
    expect(c.revisionHours).toBe(72);
    expect(loadConfig({ DATASET: "consumption-industry" }, { dataset: "production-consumption-settlement" }).dataset.name).toBe(
      "production-consumption-settlement",
    );
    expect(loadConfig({ DATASET: "consumption-industry", DATA_DELAY_DAYS: "2", REVISION_HOURS: "6" })).toMatchObject({
      window: { delayDays: 2 },
      revisionHours: 6,
    });
    // EDS_DATASET renames the API dataset and keeps the rest of the preset.
    const renamed = loadConfig({ EDS_DATASET: "ConsumptionDE35Hour2" }).dataset;
    expect(renamed.api).toEqual({ ...loadPreset("de35").api, dataset: "ConsumptionDE35Hour2" });
    expect(renamed.keys).toEqual(loadPreset("de35").keys);
  });

  it("describes any long table by KEYS/TIME_COLUMN/TIME_ZONE/VALUE_COLUMN/UNIT, flags over the environment", () => {
    const env = { KEYS: "meter_id", TIME_COLUMN: "read_at", TIME_ZONE: "Europe/Copenhagen", VALUE_COLUMN: "kwh", UNIT: "MWh" };
    const c = loadConfig(env);
    expect(c.dataset).toEqual({
      name: "file",
      title: "Hourly panel from a file",
      time: { source: "read_at", zone: "Europe/Copenhagen" },
      keys: [{ source: "meter_id", name: "meter_id", type: "utf8" }],
      value: { source: "kwh", unit: "MWh" },
    });
    expect(c.window.delayDays).toBe(15);
    expect(c.revisionHours).toBe(48);
    const flags = loadConfig(env, { datasetFlags: { keys: "site:int,meter", timeZone: "UTC" } }).dataset;
    expect(flags.keys).toEqual([
      { source: "site", name: "site", type: "int32" },
      { source: "meter", name: "meter", type: "utf8" },
    ]);
    expect(flags.time).toEqual({ source: "read_at", zone: "UTC" });
    // A zone alone changes the preset's reading of time, not the preset.
    const local = loadConfig({ TIME_ZONE: "Europe/Copenhagen" }).dataset;
    expect(local.name).toBe("de35");
    expect(local.time).toEqual({ source: "HourUTC", zone: "Europe/Copenhagen" });
  });

  it("reads a series filter on the dataset's key columns", () => {
    expect(loadConfig({ FILTER: '{"PriceArea":"DK1"}' }).filter).toEqual({ PriceArea: ["DK1"] });
    expect(loadConfig({}, { filter: '{"PriceArea":["DK1","DK2"],"ConsumerType_DE35":[111]}' }).filter).toEqual({
      PriceArea: ["DK1", "DK2"],
      ConsumerType_DE35: [111],
    });
    expect(() => loadConfig({ FILTER: "PriceArea=DK1" })).toThrow(
      'config: --filter (FILTER) must be a JSON object like {"PriceArea":["DK1"]}, got "PriceArea=DK1"',
    );
    expect(() => loadConfig({ FILTER: '["DK1"]' })).toThrow('config: --filter (FILTER) must be a JSON object like {"PriceArea":["DK1"]}, got "[\\"DK1\\"]"');
    expect(() => loadConfig({ FILTER: '{"area":[1]}' })).toThrow(
      'config: --filter names column "area", which is not a key column of dataset de35; filter on PriceArea, ConsumerType_DE35',
    );
    expect(() => loadConfig({ FILTER: '{"PriceArea":[]}' })).toThrow(
      'config: --filter value for "PriceArea" must be a string, a number or a non-empty list of them, got []',
    );
  });

  it("names the bad setting and the accepted form", () => {
    expect(() => loadConfig({ DATA_DELAY_DAYS: "two" })).toThrow('config: DATA_DELAY_DAYS must be a number >= 0, got "two"');
    expect(() => loadConfig({}, { delayDays: "-1" })).toThrow('config: --days-delay must be a number of days >= 0, got "-1"');
    expect(() => loadConfig({ DATASET: "de36" })).toThrow(
      'config: dataset "de36" is not a preset; use one of de35, production-consumption-settlement, consumption-industry, priv-industry-consumption-hour, a path to a preset .json file, or --keys/--time/--value for any long table',
    );
    expect(() => loadConfig({ KEYS: "meter_id" })).toThrow(
      "config: a dataset given by flags needs --time, --value as well (the key column(s), the hour column and the value column); or pick a preset with --dataset",
    );
    expect(() => loadConfig({ TIME_ZONE: "Mars/Olympus" })).toThrow(
      'config: the dataset flags (--keys/--time/--time-zone/--value/--unit/--unit-column/--calendar-zone/--holidays): time.zone (--time-zone) "Mars/Olympus" is not a known IANA time zone; use UTC or a name like Europe/Copenhagen',
    );
    expect(() => loadConfig({ REVISION_HOURS: "1.5" })).toThrow('config: REVISION_HOURS must be an integer >= 0, got "1.5"');
    expect(() => loadConfig({ SOURCE: "data.json" })).toThrow(
      'config: source "data.json" is not understood; use embedded, api, file:<path.csv|path.parquet> or an http(s) URL to such a file',
    );
    expect(() => loadConfig({ FEATURE_GROUP_NAME: "Bad-Name" })).toThrow(
      'config: FEATURE_GROUP_NAME must be lower-case letters, digits and _, starting with a letter, got "Bad-Name"',
    );
    expect(() => loadConfig({ LOG_LEVEL: "loud" })).toThrow('config: LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"');
  });
});

describe("parseInstant", () => {
  it("reads times without an offset as UTC", () => {
    expect(parseInstant("2023-01-14T22:00", "--as-of")).toBe(Date.UTC(2023, 0, 14, 22));
    expect(parseInstant("2023-01-14", "--as-of")).toBe(Date.UTC(2023, 0, 14));
    expect(parseInstant("2023-01-14T22:00:00Z", "--as-of")).toBe(Date.UTC(2023, 0, 14, 22));
    expect(parseInstant("2023-01-14T23:00:00+01:00", "--as-of")).toBe(Date.UTC(2023, 0, 14, 22));
    expect(() => parseInstant("yesterday", "--as-of")).toThrow(
      'config: --as-of must be an existing ISO date or time in UTC like 2023-01-14T22:00, got "yesterday"',
    );
  });
});
