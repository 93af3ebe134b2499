import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/pipeline/config/config.js";
import { DEFAULT_STORE_DIR, EMBEDDED_DATA_PATH } from "../../../src/pipeline/config/paths.js";
import { parseInstant } from "../../../src/pipeline/time/index.js";
import { DE35 } from "../../../src/pipeline/dataset/spec.js";
import { pathToFileURL } from "node:url";

describe("loadConfig", () => {
  it("has working defaults: bundled data, local store, the reference's window", () => {
    const c = loadConfig({}, {}, "/work");
    expect(c.storeUri).toBe(pathToFileURL(DEFAULT_STORE_DIR).href);
    expect(c.source).toEqual({ kind: "file", location: EMBEDDED_DATA_PATH, embedded: true });
    expect(c.window).toEqual({ delayDays: 15, exportDays: 30 });
    expect(c.dataset).toEqual(DE35);
    expect(c.featureGroup).toEqual({ name: "energy_consumption", version: 1 });
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

  it("reads sources and a successor dataset's spec", () => {
    expect(loadConfig({ SOURCE: "api", EDS_API_URL: "http://127.0.0.1:9/" }).source).toEqual({ kind: "api", baseUrl: "http://127.0.0.1:9" });
    expect(loadConfig({}, { source: "file:data.csv" }, "/w").source).toEqual({ kind: "file", location: "/w/data.csv", embedded: false });
    const c = loadConfig({ EDS_DATASET: "ConsumptionIndustry", EDS_COLUMN_CONSUMER_TYPE: "Branche", EDS_AREAS: "DK1:1, DK2:2", EDS_CONSUMER_TYPES: "1, 2,3" });
    expect(c.dataset.name).toBe("ConsumptionIndustry");
    expect(c.dataset.columns.consumerType).toBe("Branche");
    expect(c.dataset.areas).toEqual({ DK1: 1, DK2: 2 });
    expect(c.dataset.consumerTypes).toEqual([1, 2, 3]);
  });

  it("names the bad setting and the accepted form", () => {
    expect(() => loadConfig({ DATA_DELAY_DAYS: "two" })).toThrow('config: DATA_DELAY_DAYS must be a number >= 0, got "two"');
    expect(() => loadConfig({}, { delayDays: "-1" })).toThrow('config: --days-delay must be a number of days >= 0, got "-1"');
    expect(() => loadConfig({ EDS_AREAS: "DK1=1" })).toThrow('config: EDS_AREAS must look like DK:0,DK1:1,DK2:2 (codes fit in int8), got "DK1=1"');
    expect(() => loadConfig({ EDS_CONSUMER_TYPES: "111,abc" })).toThrow('config: EDS_CONSUMER_TYPES must be a comma-separated list of integer codes, got "111,abc"');
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
    expect(() => parseInstant("yesterday", "--as-of")).toThrow('config: --as-of must be an ISO date or time in UTC like 2023-01-14T22:00, got "yesterday"');
  });
});
