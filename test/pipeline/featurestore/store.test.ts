import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as aq from "arquero";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { datasetInfo, LEGACY_DE35_INFO } from "../../../src/pipeline/dataset/spec.js";
import { loadPreset } from "../../../src/pipeline/dataset/preset.js";

const H = 3_600_000;
const t0 = Date.UTC(2023, 0, 1, 22);
const now = new Date("2023-02-01T00:00:00Z");

/** Hourly rows for (area, consumer_type) from t0 for `hours` hours, value = base + hour index. */
function series(area: number, consumer: number, hours: number, base = 100, from = t0) {
  const r = Array.from({ length: hours }, (_, i) => i);
  return aq.table({
    datetime_utc: r.map((i) => from + i * H),
    area: r.map(() => area),
    consumer_type: r.map(() => consumer),
    energy_consumption: r.map((i) => base + i),
  });
}

describe("FeatureStore", () => {
  let dir: string;
  let storage: Storage;
  let store: FeatureStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fs-test-"));
    storage = createLocalStorage(dir);
    store = new FeatureStore(storage, { name: "energy_consumption", version: 1 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("partitions by UTC day and reads back a [start, end) window sorted by key", async () => {
    const rows = series(1, 111, 6).concat(series(2, 999, 6, 500));
    const report = await store.upsert(rows, "run-1", now);
    expect(report).toEqual({ added: 12, changed: 0, unchanged: 0, commit: 1, partitions: ["2023-01-01", "2023-01-02"], totalRows: 12 });
    expect(await storage.list("features/energy_consumption/v1/")).toEqual([
      "features/energy_consumption/v1/data/date=2023-01-01/part-000001.parquet",
      "features/energy_consumption/v1/data/date=2023-01-02/part-000001.parquet",
      "features/energy_consumption/v1/manifest.json",
    ]);
    const window = await store.read({ start: t0 + H, end: t0 + 3 * H });
    expect(window.objects()).toEqual([
      { datetime_utc: t0 + H, area: 1, consumer_type: 111, energy_consumption: 101 },
      { datetime_utc: t0 + 2 * H, area: 1, consumer_type: 111, energy_consumption: 102 },
      { datetime_utc: t0 + H, area: 2, consumer_type: 999, energy_consumption: 501 },
      { datetime_utc: t0 + 2 * H, area: 2, consumer_type: 999, energy_consumption: 502 },
    ]);
    expect((await store.read()).numRows()).toBe(12);
  });

  it("is idempotent: the same rows again add nothing and write nothing", async () => {
    await store.upsert(series(1, 111, 30), "run-1", now);
    const before = await storage.read("features/energy_consumption/v1/manifest.json");
    const again = await store.upsert(series(1, 111, 30), "run-2", now);
    expect(again).toEqual({ added: 0, changed: 0, unchanged: 30, commit: 1, partitions: [], totalRows: 30 });
    expect(await storage.read("features/energy_consumption/v1/manifest.json")).toEqual(before);
  });

  it("upserts an overlapping window: new value wins, one row per key, history records the commit", async () => {
    await store.upsert(series(1, 111, 4), "run-1", now);
    const overlap = series(1, 111, 4, 1000, t0 + 2 * H); // hours 2..5, hours 2,3 changed
    const report = await store.upsert(overlap, "run-2", now);
    expect(report).toMatchObject({ added: 2, changed: 2, unchanged: 0, commit: 2, totalRows: 6 });
    const all = await store.read();
    expect(all.array("energy_consumption")).toEqual([100, 101, 1000, 1001, 1002, 1003]);
    const manifest = await store.manifest();
    expect(manifest?.history.map((h) => [h.commit, h.runId, h.added, h.changed])).toEqual([
      [1, "run-1", 4, 0],
      [2, "run-2", 2, 2],
    ]);
  });

  it("keeps the files of the previous commit for readers and deletes older ones after the grace period", async () => {
    const day = "features/energy_consumption/v1/data/date=2023-01-01/";
    await store.upsert(series(1, 111, 1, 1), "run-1", now);
    await store.upsert(series(1, 111, 1, 2), "run-2", now);
    expect(await storage.list(day)).toEqual([`${day}part-000001.parquet`, `${day}part-000002.parquet`]);
    // Two hours later part 1 has been unreferenced (since commit 2) for longer than the 1-hour default.
    await store.upsert(series(1, 111, 1, 3), "run-3", new Date(now.getTime() + 2 * H));
    expect(await storage.list(day)).toEqual([`${day}part-000002.parquet`, `${day}part-000003.parquet`]);
  });

  it("reads an empty group as an empty table and reports a corrupt manifest clearly", async () => {
    expect((await store.read()).numRows()).toBe(0);
    expect(await store.manifest()).toBeUndefined();
    await storage.write("features/energy_consumption/v1/manifest.json", "{oops");
    await expect(store.read()).rejects.toThrow(
      'featurestore: manifest "features/energy_consumption/v1/manifest.json" is not valid JSON; run energy-forecast doctor --repair to set it aside and rebuild it from the partition files',
    );
  });

  it("leaves the previous version readable when a write fails mid-commit", async () => {
    await store.upsert(series(1, 111, 30), "run-1", now);
    let writes = 0;
    const failing: Storage = {
      ...storage,
      uri: storage.uri,
      read: (k) => storage.read(k),
      list: (p) => storage.list(p),
      exists: (k) => storage.exists(k),
      delete: (k) => storage.delete(k),
      write: async (k, d, o) => {
        if (++writes === 2) throw new Error("disk full");
        return storage.write(k, d, o);
      },
    };
    const broken = new FeatureStore(failing, { name: "energy_consumption", version: 1 });
    await expect(broken.upsert(series(1, 111, 30, 7), "run-2", now)).rejects.toThrow("disk full");
    const after = await store.read();
    expect(after.numRows()).toBe(30);
    expect(after.array("energy_consumption")[0]).toBe(100);
    expect((await store.manifest())?.commit).toBe(1);
  });
});

describe("FeatureStore datasets", () => {
  let dir: string;
  let storage: Storage;
  const group = { name: "energy_consumption", version: 1 };
  const industry = datasetInfo(loadPreset("consumption-industry"));
  const de35 = datasetInfo(loadPreset("de35"));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fs-test-"));
    storage = createLocalStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** ConsumptionIndustry rows: string keys MunicipalityNo + Branche. */
  const industryRows = (hours: number, from = t0) =>
    aq.table({
      datetime_utc: Array.from({ length: 2 * hours }, (_, i) => from + Math.floor(i / 2) * H),
      MunicipalityNo: Array.from({ length: 2 * hours }, (_, i) => (i % 2 === 0 ? "851" : "101")),
      Branche: Array.from({ length: 2 * hours }, () => "Privat"),
      energy_consumption: Array.from({ length: 2 * hours }, (_, i) => i),
    });

  it("records the writer's dataset in the manifest; readers learn keys and unit from it", async () => {
    const writer = new FeatureStore(storage, group, undefined, industry);
    expect(await writer.info()).toEqual(industry);
    expect(await writer.latestHour()).toBeUndefined();
    await writer.upsert(industryRows(3), "run-1", now);
    expect((await writer.manifest())?.dataset).toEqual(industry);
    const reader = new FeatureStore(storage, group);
    expect(await reader.info()).toEqual(industry);
    expect(await reader.latestHour()).toBe(t0 + 2 * H);
    const back = await reader.read({ start: t0, end: t0 + H });
    expect(back.objects()).toEqual([
      { datetime_utc: t0, MunicipalityNo: "101", Branche: "Privat", energy_consumption: 1 },
      { datetime_utc: t0, MunicipalityNo: "851", Branche: "Privat", energy_consumption: 0 },
    ]);
  });

  it("reads a manifest written before datasets were recorded as the legacy DE35 layout, and lets DE35 continue it", async () => {
    await new FeatureStore(storage, group).upsert(series(1, 111, 2), "run-1", now);
    const legacy = JSON.parse(new TextDecoder().decode(await storage.read("features/energy_consumption/v1/manifest.json")));
    expect(legacy.dataset).toBeUndefined();
    expect(await new FeatureStore(storage, group).info()).toEqual(LEGACY_DE35_INFO);
    const report = await new FeatureStore(storage, group, undefined, de35).upsert(series(1, 111, 3), "run-2", now);
    expect(report).toMatchObject({ added: 1, unchanged: 2, commit: 2 });
    expect(await new FeatureStore(storage, group).info()).toEqual(de35);
  });

  it("refuses to upsert another dataset's series into a group, writing nothing", async () => {
    await new FeatureStore(storage, group, undefined, de35).upsert(series(1, 111, 2), "run-1", now);
    const before = await storage.list("features/");
    await expect(new FeatureStore(storage, group, undefined, industry).upsert(industryRows(1), "run-2", now)).rejects.toThrow(
      "featurestore: features/energy_consumption/v1/ holds dataset de35 (keys area:int8,consumer_type:int32, unit kWh); " +
        "this run's dataset consumption-industry has keys MunicipalityNo:utf8,Branche:utf8, unit kWh; " +
        "use another --store, or another FEATURE_GROUP_NAME / FEATURE_GROUP_VERSION for this dataset",
    );
    expect(await storage.list("features/")).toEqual(before);
  });
});
