import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as aq from "arquero";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datasetInfo, LEGACY_DE35_INFO } from "../../../src/pipeline/dataset/spec.js";
import { loadPreset } from "../../../src/pipeline/dataset/preset.js";
import { salvageManifest } from "../../../src/pipeline/featurestore/manifest.js";
import { planManifestRebuild } from "../../../src/pipeline/featurestore/rebuild.js";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";

const H = 3_600_000;
const GROUP = { name: "energy_consumption", version: 1 };
const PREFIX = "features/energy_consumption/v1/";
const MANIFEST = `${PREFIX}manifest.json`;
const PART = (day: string, commit: number) => `${PREFIX}data/date=${day}/part-${String(commit).padStart(6, "0")}.parquet`;
const now = new Date("2023-02-01T00:00:00Z");
const later = new Date("2023-02-02T00:00:00Z");
const options = (salvage?: ReturnType<typeof salvageManifest>) => ({ now: later, runId: "doctor-1", note: "rebuilt", ...(salvage ? { salvage } : {}) });

const de35 = (hours: number, base: number, from = Date.UTC(2023, 0, 1)) => {
  const r = Array.from({ length: hours }, (_, i) => i);
  return aq.table({
    datetime_utc: r.map((i) => from + i * H),
    area: r.map(() => 1),
    consumer_type: r.map(() => 111),
    energy_consumption: r.map((i) => base + i),
  });
};
const settlement = datasetInfo(loadPreset("production-consumption-settlement"));
const priceAreas = (hours: number) => {
  const r = Array.from({ length: hours }, (_, i) => i);
  return aq.table({ datetime_utc: r.map((i) => Date.UTC(2023, 0, 1) + i * H), PriceArea: r.map(() => "DK1"), energy_consumption: r.map((i) => i) });
};

describe("rebuilding a feature-group manifest from its partition files", () => {
  let dir: string;
  let storage: Storage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fs-rebuild-"));
    storage = createLocalStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("takes each day's newest file that decodes, counts rows and hours, numbers the commit above every file, and recognises DE35's columns", async () => {
    const store = new FeatureStore(storage, GROUP);
    await store.upsert(de35(48, 0), "run-1", now);
    await store.upsert(de35(24, 100, Date.UTC(2023, 0, 2)), "run-2", now);
    const before = await store.manifest();
    await storage.write(PART("2023-01-01", 3), "garbage left by a crash");
    await storage.delete(MANIFEST);
    const plan = (await planManifestRebuild(storage, GROUP, options()))!;
    expect(plan.chosen).toEqual([
      { day: "2023-01-01", key: PART("2023-01-01", 1), rows: 24, commit: 1 },
      { day: "2023-01-02", key: PART("2023-01-02", 2), rows: 24, commit: 2 },
    ]);
    expect(plan.unusable).toEqual([{ key: PART("2023-01-01", 3), problem: expect.stringMatching(/^does not decode as parquet \(23 bytes\)/) }]);
    expect(plan.manifest).toMatchObject({ commit: 4, rows: 48, partitions: before!.partitions, dataset: LEGACY_DE35_INFO });
    expect(plan.manifest.history).toEqual([
      { commit: 4, at: later.toISOString(), runId: "doctor-1", added: 0, changed: 0, partitions: ["2023-01-01", "2023-01-02"], note: "rebuilt" },
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it("keeps the dataset, unit and history of a damaged manifest that still parses", async () => {
    await new FeatureStore(storage, GROUP, undefined, settlement).upsert(priceAreas(30), "run-1", now);
    const text = new TextDecoder().decode(await storage.read(MANIFEST));
    const plan = (await planManifestRebuild(storage, GROUP, options(salvageManifest(text))))!;
    expect(plan.manifest.dataset).toEqual(settlement);
    expect(plan.manifest.history.map((h) => [h.commit, h.runId])).toEqual([
      [1, "run-1"],
      [2, "doctor-1"],
    ]);
  });

  it("reads the key columns off the files and keeps the unit from a manifest that is not valid JSON any more", async () => {
    await new FeatureStore(storage, GROUP, undefined, settlement).upsert(priceAreas(30), "run-1", now);
    const text = new TextDecoder().decode(await storage.read(MANIFEST));
    const truncated = text.slice(0, text.indexOf('"history"'));
    const plan = (await planManifestRebuild(storage, GROUP, options(salvageManifest(truncated))))!;
    expect(plan.manifest.dataset).toEqual({
      name: "production-consumption-settlement",
      title: "rebuilt from its partition files by energy-forecast doctor --repair",
      keys: [{ name: "PriceArea", type: "utf8" }],
      unit: "MWh",
    });
    expect(plan.warnings).toEqual([]);
  });

  it("records kWh with a warning when nothing says the unit", async () => {
    await new FeatureStore(storage, GROUP, undefined, settlement).upsert(priceAreas(30), "run-1", now);
    await storage.delete(MANIFEST);
    const plan = (await planManifestRebuild(storage, GROUP, options()))!;
    expect(plan.manifest.dataset).toMatchObject({ name: "unknown", keys: [{ name: "PriceArea", type: "utf8" }], unit: "kWh" });
    expect(plan.warnings).toEqual([
      `the unit of the series is not recorded in the partition files and the old manifest did not say it: recorded as kWh; if that is wrong, set "dataset.unit" in ${MANIFEST} (the next ingest refuses a different unit)`,
    ]);
  });

  it("plans nothing for a group without partition files", async () => {
    expect(await planManifestRebuild(storage, GROUP, options())).toBeUndefined();
  });
});
