import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as aq from "arquero";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLogger } from "../../../src/pipeline/core/effects.js";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";

const H = 3_600_000;
const GROUP = { name: "energy_consumption", version: 1 };
const PREFIX = "features/energy_consumption/v1/";
const MANIFEST = `${PREFIX}manifest.json`;
const PART = (day: string, commit: number) => `${PREFIX}data/date=${day}/part-${String(commit).padStart(6, "0")}.parquet`;
const now = new Date("2023-02-01T00:00:00Z");

/** DE35 rows of one series, hourly from `from`, value = base + hour index. */
function series(hours: number, base: number, from = Date.UTC(2023, 0, 1)) {
  const r = Array.from({ length: hours }, (_, i) => i);
  return aq.table({
    datetime_utc: r.map((i) => from + i * H),
    area: r.map(() => 1),
    consumer_type: r.map(() => 111),
    energy_consumption: r.map((i) => base + i),
  });
}

describe("feature store integrity", () => {
  let dir: string;
  let storage: Storage;
  let store: FeatureStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "fs-damaged-"));
    storage = createLocalStorage(dir);
    store = new FeatureStore(storage, GROUP);
    await store.upsert(series(72, 0), "run-1", now); // three days: 2023-01-01..03, commit 1
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a missing manifest beside partition files, naming the repair; an upsert deletes nothing", async () => {
    await storage.delete(MANIFEST);
    const message =
      `featurestore: manifest ${MANIFEST} is missing in ${storage.uri} but 3 partition file(s) exist under ${PREFIX}data/; ` +
      "the feature group is left as it is: run energy-forecast doctor --repair to rebuild the manifest from the partition files";
    await expect(store.read()).rejects.toThrow(message);
    await expect(store.latestHour()).rejects.toThrow(message);
    await expect(store.upsert(series(1, 5, Date.UTC(2023, 0, 4)), "run-2", new Date(now.getTime() + 5 * H))).rejects.toThrow(message);
    expect(await storage.list(PREFIX)).toEqual([PART("2023-01-01", 1), PART("2023-01-02", 1), PART("2023-01-03", 1)]);
  });

  it("names a corrupt part and both fixes when it is read", async () => {
    await storage.write(PART("2023-01-02", 1), "not parquet at all");
    const error = (await store.read().catch((e: unknown) => e)) as PipelineError;
    expect(error.message).toBe(
      `featurestore: partition ${PART("2023-01-02", 1)} (day 2023-01-02) cannot be decoded in ${storage.uri}; ` +
        "re-ingest a window that covers 2023-01-02 (energy-forecast ingest --full, with an --as-of whose window holds that day) to replace it, " +
        "or run energy-forecast doctor --repair to set it aside",
    );
    // Days that do not touch the damaged part still read.
    expect((await store.read({ start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 0, 2) })).numRows()).toBe(24);
  });

  it("names a deleted part when it is read", async () => {
    await storage.delete(PART("2023-01-03", 1));
    await expect(store.read()).rejects.toThrow(
      `featurestore: partition ${PART("2023-01-03", 1)} (day 2023-01-03) is listed in the manifest but missing in ${storage.uri}; re-ingest a window that covers 2023-01-03`,
    );
  });

  it("re-ingesting the window of a corrupt part sets it aside under damaged/ and writes the new rows, saying so in the log and the report", async () => {
    const garbage = new TextEncoder().encode("not parquet at all");
    await storage.write(PART("2023-01-02", 1), garbage);
    const logger = memoryLogger();
    const writer = new FeatureStore(storage, GROUP, logger);
    const report = await writer.upsert(series(24, 1000, Date.UTC(2023, 0, 2)), "run-2", now);
    expect(report).toEqual({
      added: 24,
      changed: 0,
      unchanged: 0,
      commit: 2,
      partitions: ["2023-01-02"],
      totalRows: 72,
      damaged: [{ day: "2023-01-02", key: PART("2023-01-02", 1), damage: "undecodable", rows: 24, setAside: `damaged/${PART("2023-01-02", 1)}` }],
    });
    expect(await storage.read(`damaged/${PART("2023-01-02", 1)}`)).toEqual(garbage);
    expect(await storage.exists(PART("2023-01-02", 1))).toBe(false);
    expect(logger.lines).toContain(
      `warn  featurestore: partition ${PART("2023-01-02", 1)} (day 2023-01-02) was corrupt; replaced by this batch's rows of that day setAside=damaged/${PART("2023-01-02", 1)} listedRows=24 rows=24`,
    );
    const all = await writer.read();
    expect(all.numRows()).toBe(72);
    expect(all.array("energy_consumption").slice(23, 26)).toEqual([23, 1000, 1001]);
    expect((await writer.manifest())?.history.at(-1)).toMatchObject({ commit: 2, setAside: [`damaged/${PART("2023-01-02", 1)}`] });
  });

  it("re-ingesting the window of a deleted part writes the new rows (nothing to set aside)", async () => {
    await storage.delete(PART("2023-01-03", 1));
    const report = await store.upsert(series(48, 500, Date.UTC(2023, 0, 2)), "run-2", now);
    expect(report).toMatchObject({ added: 24, changed: 24, unchanged: 0, commit: 2, totalRows: 72 });
    expect(report.damaged).toEqual([{ day: "2023-01-03", key: PART("2023-01-03", 1), damage: "missing", rows: 24 }]);
    expect(await storage.list("damaged/")).toEqual([]);
    expect((await store.read()).numRows()).toBe(72);
  });

  it("does not take a failing storage for damage: the upsert fails and sets nothing aside", async () => {
    const failing: Storage = {
      ...storage,
      uri: storage.uri,
      read: async (k) => {
        if (k.endsWith(".parquet")) throw new PipelineError("storage", `read "${k}" failed: ECONNRESET`);
        return storage.read(k);
      },
    };
    await expect(new FeatureStore(failing, GROUP).upsert(series(24, 1000, Date.UTC(2023, 0, 2)), "run-2", now)).rejects.toThrow("storage: read");
    expect(await storage.list("damaged/")).toEqual([]);
    expect((await store.manifest())?.commit).toBe(1);
  });
});
