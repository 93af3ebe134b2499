import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli.js";
import { startEdsServer, type EdsServer } from "../support/eds-server.js";
import { startGcsEmulator, type GcsEmulator } from "../support/gcs-emulator.js";
import { createGcsStorage } from "../../src/pipeline/storage/gcs.js";
import { createLocalStorage } from "../../src/pipeline/storage/local.js";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";

const group = { name: "energy_consumption", version: 1 };

describe("ingest from the API into a local store and a GCS bucket (emulator)", () => {
  let dir: string;
  let api: EdsServer;
  let gcs: GcsEmulator;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cli-stores-"));
    [api, gcs] = await Promise.all([startEdsServer(), startGcsEmulator()]);
  });
  afterAll(async () => {
    await Promise.all([api?.close(), gcs?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("pages through the API and writes the same feature rows to both backends", async () => {
    const args = ["ingest", "--source", "api", "--as-of", "2023-01-16T00:00", "--days-delay", "2", "--days-export", "3", "--json"];
    const env = { EDS_API_URL: api.url, EDS_PAGE_SIZE: "2000" };
    const local = await runCli([...args, "--store", join(dir, "local")], env);
    expect(local.stderr).toBe("");
    expect(local.code).toBe(0);
    expect(JSON.parse(local.stdout)).toMatchObject({ rows: 76 * 72, series: 76, featureStore: { added: 76 * 72 } });
    const pages = api.requests.filter((r) => r.path === "/dataset/ConsumptionDE35Hour");
    expect(pages).toHaveLength(3); // 5,472 rows in pages of 2,000
    expect(pages[0].query).toMatchObject({ start: "2023-01-11T00:00", end: "2023-01-14T00:00", timezone: "utc", offset: "0", limit: "2000" });

    const cloud = await runCli([...args, "--store", "gs://energy-test/runs/a"], {
      ...env,
      STORAGE_EMULATOR_HOST: gcs.endpoint,
      GOOGLE_CLOUD_PROJECT: "demo-energy-forecast",
    });
    expect(cloud.code).toBe(0);

    const bucket = createGcsStorage({ bucket: "energy-test", prefix: "runs/a", projectId: "demo-energy-forecast" });
    const onDisk = createLocalStorage(join(dir, "local"));
    const withEmulator = async <T>(f: () => Promise<T>) => {
      const saved = process.env.STORAGE_EMULATOR_HOST;
      process.env.STORAGE_EMULATOR_HOST = gcs.endpoint;
      try {
        return await f();
      } finally {
        if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
        else process.env.STORAGE_EMULATOR_HOST = saved;
      }
    };
    const [fromGcs, fromDisk] = await withEmulator(() => Promise.all([read(bucket), read(onDisk)]));
    expect(fromGcs.numRows()).toBe(76 * 72);
    expect(fromGcs.objects()).toEqual(fromDisk.objects());
    const keys = await withEmulator(() => bucket.list(""));
    expect(keys.filter((k) => k.startsWith("features/"))).toEqual(await onDisk.list("features/"));

    const validated = await runCli(["validate", "--store", "gs://energy-test/runs/a", "--json"], {
      STORAGE_EMULATOR_HOST: gcs.endpoint,
      GOOGLE_CLOUD_PROJECT: "demo-energy-forecast",
    });
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.stdout).statistics).toMatchObject({ evaluated_expectations: 16, successful_expectations: 16 });
  });

  it("gives up on a failing API with a clear error and writes nothing", async () => {
    api.setFaults(() => ({ kind: "status", status: 503 }));
    const store = join(dir, "failing");
    const r = await runCli(["ingest", "--source", "api", "--as-of", "2023-01-16T00:00", "--days-delay", "2", "--days-export", "1", "--store", store], {
      EDS_API_URL: api.url,
      EDS_MAX_RETRIES: "1",
    });
    api.setFaults([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ingest: Energi Data Service request failed after 2 attempts (last: HTTP 503");
    expect(await createLocalStorage(store).list("")).toEqual([]);
  });
});

function read(storage: Storage) {
  return new FeatureStore(storage, group).read();
}
