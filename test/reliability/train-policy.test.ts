import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import type { RunManifest } from "../../src/pipeline/run/manifest.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";
import { smallTick } from "./tick-harness.js";

// A scheduled job whose source stops publishing (ConsumptionDE35Hour itself stopped in mid-2023;
// the bundled copy ends 2023-01-14T22:00) keeps ticking. "max-age" must count the hours of data the
// production model has not seen, not the hours the clock moved on: retraining on the same data
// gives the same model, costs a full training per tick and registers a new version every hour.
describe("train policy max-age when no new data arrives", () => {
  let dir: string;
  let storage: Storage;
  let first: RunManifest;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "reliability-policy-"));
    storage = createLocalStorage(dir);
    // Trains production v1 on the data up to 2023-01-13T23:00 (visible before 2023-01-14).
    first = await smallTick(storage, "2023-01-29T00:00", "run-1", "always");
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("trains the first production version on the data visible then", () => {
    expect(first.train).toMatchObject({ trained: true, version: 1 });
    expect(first.visibleUntil).toBe("2023-01-14T00:00:00.000Z");
  });

  // The 6 days to the next tick bring only 23 new hours (the data ends 2023-01-14T22:00), fewer
  // than 72: no retraining then, nor at any later tick. Before the fix the age was measured from
  // the clock, so every tick after the data stopped retrained on identical data (bench/backfill.ts:
  // a version registered at each of the last ~380 of 720 hourly ticks, 8 s of each 17 s tick).
  it("does not retrain while fewer than max-age hours of new data arrived, however late the tick", async () => {
    const later = await smallTick(storage, "2023-02-04T00:00", "run-2", "max-age:72");
    expect(later.train).toMatchObject({ trained: false, version: 1 });
    const muchLater = await smallTick(storage, "2023-02-20T00:00", "run-3", "max-age:72");
    expect(muchLater.train).toMatchObject({ trained: false, version: 1 });
    expect(muchLater.train.reason).toBe("production v1 has not seen 23 h of data (max 72 h)");
    expect(await new ModelRegistry(storage).versions("gbm-blend")).toEqual([1]);
  });
});

describe("train policy max-age while data keeps arriving", () => {
  let dir: string;
  let storage: Storage;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "reliability-policy-"));
    storage = createLocalStorage(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps production until max-age hours of new data arrived, then retrains on them", async () => {
    // Visible data ends 2023-01-08T23:00, then 48 h later, then 72 h later.
    const first = await smallTick(storage, "2023-01-24T00:00", "run-1", "max-age:72");
    expect(first.train).toMatchObject({ trained: true, version: 1, reason: "no production model yet" });
    const second = await smallTick(storage, "2023-01-26T00:00", "run-2", "max-age:72");
    expect(second.train).toEqual({ trained: false, version: 1, model: "gbm-blend", reason: "production v1 has not seen 48 h of data (max 72 h)" });
    const third = await smallTick(storage, "2023-01-27T00:00", "run-3", "max-age:72");
    expect(third.train).toEqual({ trained: true, version: 2, model: "gbm-blend", reason: "production v1 has not seen 72 h of data (max 72 h)" });
    expect(await new ModelRegistry(storage).versions("gbm-blend")).toEqual([1, 2]);
  }, 600_000);
});
