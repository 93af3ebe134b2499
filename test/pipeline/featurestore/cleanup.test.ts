import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as aq from "arquero";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { unreferencedSince } from "../../../src/pipeline/featurestore/cleanup.js";
import type { FeatureGroupManifest } from "../../../src/pipeline/featurestore/manifest.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";

const H = 3_600_000;
const MIN = 60_000;
const T = Date.parse("2023-02-01T00:00:00Z");
const at = (ms: number) => new Date(T + ms);
const PREFIX = "features/energy_consumption/v1/";
const DAY1 = `${PREFIX}data/date=2023-01-01/`;
const DAY2 = `${PREFIX}data/date=2023-01-02/`;

/** One DE35 row per hour of 2023-01-01 from 00:00, `hours` of them, all of value `value`. */
function rows(hours: number, value: number, from = Date.UTC(2023, 0, 1)) {
  const r = Array.from({ length: hours }, (_, i) => i);
  return aq.table({ datetime_utc: r.map((i) => from + i * H), area: r.map(() => 1), consumer_type: r.map(() => 111), energy_consumption: r.map(() => value) });
}

describe("feature store cleanup", () => {
  let dir: string;
  let storage: Storage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fs-cleanup-"));
    storage = createLocalStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the files of the previous manifest and unreferenced files younger than the grace period; deletes them once older", async () => {
    const store = new FeatureStore(storage, { name: "energy_consumption", version: 1 });
    await store.upsert(rows(2, 1), "run-1", at(0));
    await store.upsert(rows(2, 2), "run-2", at(10 * MIN)); // supersedes part 1
    await store.upsert(rows(2, 3), "run-3", at(20 * MIN)); // supersedes part 2
    // Part 1 is unreferenced since commit 2 (10 minutes): within the 1-hour grace period. Part 2 is the previous manifest's.
    expect(await storage.list(DAY1)).toEqual([`${DAY1}part-000001.parquet`, `${DAY1}part-000002.parquet`, `${DAY1}part-000003.parquet`]);
    await store.upsert(rows(2, 4), "run-4", at(75 * MIN));
    // 75 min: part 1 unreferenced for 65 min (deleted), part 2 for 55 min (kept), part 3 is the previous manifest's.
    expect(await storage.list(DAY1)).toEqual([`${DAY1}part-000002.parquet`, `${DAY1}part-000003.parquet`, `${DAY1}part-000004.parquet`]);
    await store.upsert(rows(2, 5), "run-5", at(3 * H));
    expect(await storage.list(DAY1)).toEqual([`${DAY1}part-000004.parquet`, `${DAY1}part-000005.parquet`]);
    expect((await store.read()).array("energy_consumption")).toEqual([5, 5]);
  });

  it("dates a superseded file from the commit that rewrote its day, not from commits of other days", async () => {
    const store = new FeatureStore(storage, { name: "energy_consumption", version: 1 });
    await store.upsert(rows(2, 1).concat(rows(2, 1, Date.UTC(2023, 0, 2))), "run-1", at(0));
    await store.upsert(rows(2, 2, Date.UTC(2023, 0, 2)), "run-2", at(2 * H)); // day 2 only
    await store.upsert(rows(2, 3), "run-3", at(2 * H + 10 * MIN)); // day 1 only: its part 1 superseded just now
    await store.upsert(rows(2, 4, Date.UTC(2023, 0, 2)), "run-4", at(2 * H + 20 * MIN));
    // Day 1's part 1 was written 2 h 20 min ago but superseded only 10 minutes ago: kept.
    expect(await storage.list(DAY1)).toEqual([`${DAY1}part-000001.parquet`, `${DAY1}part-000003.parquet`]);
    expect(await storage.list(DAY2)).toEqual([`${DAY2}part-000001.parquet`, `${DAY2}part-000002.parquet`, `${DAY2}part-000004.parquet`]);
  });

  it("never deletes a file of a commit the manifest has not reached (a writer in flight) nor an object that is not a partition file", async () => {
    const store = new FeatureStore(storage, { name: "energy_consumption", version: 1 });
    await store.upsert(rows(1, 1), "run-1", at(0));
    await storage.write(`${DAY2}part-000003.parquet`, "another writer's part");
    await storage.write(`${PREFIX}data/README.txt`, "notes");
    await store.upsert(rows(1, 2), "run-2", at(5 * H));
    expect(await storage.list(`${PREFIX}data/`)).toEqual([
      `${PREFIX}data/README.txt`,
      `${DAY1}part-000001.parquet`,
      `${DAY1}part-000002.parquet`,
      `${DAY2}part-000003.parquet`,
    ]);
  });

  it("counts a file no commit referenced (an upsert that died before its commit) from the commit that took its number", async () => {
    const store = new FeatureStore(storage, { name: "energy_consumption", version: 1 });
    await store.upsert(rows(1, 1), "run-1", at(0));
    await storage.write(`${DAY2}part-000002.parquet`, "left by a writer that died"); // commit 2 never happened for day 2
    await store.upsert(rows(1, 2), "run-2", at(10 * H)); // commit 2 (day 1) at 10 h
    expect(await storage.exists(`${DAY2}part-000002.parquet`)).toBe(true);
    await store.upsert(rows(1, 3), "run-3", at(11 * H + MIN));
    expect(await storage.exists(`${DAY2}part-000002.parquet`)).toBe(false);
  });

  it("takes the grace period from the group's cleanupGraceMs setting", async () => {
    const store = new FeatureStore(storage, { name: "energy_consumption", version: 1, cleanupGraceMs: 0 });
    await store.upsert(rows(1, 1), "run-1", at(0));
    await store.upsert(rows(1, 2), "run-2", at(0));
    await store.upsert(rows(1, 3), "run-3", at(0));
    expect(await storage.list(DAY1)).toEqual([`${DAY1}part-000002.parquet`, `${DAY1}part-000003.parquet`]);
  });

  it("unreferencedSince: from the first later commit of the day, else the first commit at or after the file's, else unknown", () => {
    const m = {
      commit: 7,
      history: [
        { commit: 5, at: "2023-02-01T05:00:00Z", runId: "r5", added: 1, changed: 0, partitions: ["2023-01-02"] },
        { commit: 6, at: "2023-02-01T06:00:00Z", runId: "r6", added: 1, changed: 0, partitions: ["2023-01-01"] },
        { commit: 7, at: "2023-02-01T07:00:00Z", runId: "r7", added: 1, changed: 0, partitions: ["2023-01-02"] },
      ],
    } as unknown as FeatureGroupManifest;
    const since = (key: string) => {
      const t = unreferencedSince(PREFIX, key, m);
      return t === undefined ? undefined : new Date(t).toISOString();
    };
    expect(since(`${DAY1}part-000002.parquet`)).toBe("2023-02-01T06:00:00.000Z"); // superseded by commit 6
    expect(since(`${DAY2}part-000005.parquet`)).toBe("2023-02-01T07:00:00.000Z"); // superseded by commit 7
    expect(since(`${DAY1}part-000006.parquet`)).toBe("2023-02-01T06:00:00.000Z"); // not superseded: its own commit
    expect(since(`${DAY2}part-000001.parquet`)).toBe("2023-02-01T05:00:00.000Z"); // older than the history: its oldest commit
    expect(since(`${DAY1}part-000008.parquet`)).toBeUndefined(); // beyond the manifest's commit
    expect(since(`${PREFIX}data/other.parquet`)).toBeUndefined();
  });
});
