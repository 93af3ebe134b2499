import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { examineStore, repairStore } from "../../../src/pipeline/doctor/doctor.js";
import { readParquet } from "../../../src/pipeline/parquet/read.js";
import { predictionsSchema } from "../../../src/pipeline/predict/schema.js";
import { createGcsStorage } from "../../../src/pipeline/storage/gcs.js";
import { startGcsEmulator, type GcsEmulator } from "../../support/gcs-emulator.js";
import { startGcsPreconditionProxy } from "../../support/gcs-precondition-proxy.js";
import { fourRuns, GROUP, KEYS, MANIFEST, NOW, PART, threeDays } from "./fixtures.js";

// One doctor run on the Cloud Storage emulator (behind the proxy that enforces the exclusive
// creates setting aside relies on): a deleted feature manifest, a corrupt part and a corrupt
// forecast history are found and repaired as on the local disk.
describe("doctor on GCS (emulator)", () => {
  let emulator: GcsEmulator;
  let proxy: Awaited<ReturnType<typeof startGcsPreconditionProxy>>;
  let previousHost: string | undefined;
  beforeAll(async () => {
    emulator = await startGcsEmulator();
    proxy = await startGcsPreconditionProxy(emulator.endpoint);
    previousHost = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = proxy.endpoint;
  }, 180_000);
  afterAll(async () => {
    if (previousHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = previousHost;
    await proxy?.stop();
    await emulator?.stop();
  });

  it("finds and repairs a deleted manifest, a corrupt part and a corrupt history", async () => {
    const storage = createGcsStorage({
      bucket: "doctor-test",
      prefix: `store-${randomBytes(4).toString("hex")}`,
      projectId: "demo-energy-forecast",
      retry: false,
    });
    await threeDays(storage);
    await fourRuns(storage);
    const history = readParquet(await storage.read("predictions_monitoring.parquet"), predictionsSchema(KEYS)).objects();
    await storage.delete(MANIFEST);
    await storage.write(PART("2023-01-03", 1), "corrupt");
    await storage.write("predictions_monitoring.parquet", "corrupt");
    const options = { now: NOW, runId: "doctor-20230201T000000Z-000000", group: GROUP };

    const exam = await examineStore(storage, options);
    expect(exam.report.findings.filter((f) => f.severity === "problem").map((f) => [f.area, f.subject])).toEqual([
      ["features", MANIFEST],
      ["features", PART("2023-01-03", 1)],
      ["history", "predictions_monitoring.parquet"],
    ]);
    const actions = await repairStore(exam);
    expect(actions.map((a) => `${a.action} ${a.subject}${a.to ? ` -> ${a.to}` : ""}`)).toEqual([
      `set aside ${PART("2023-01-03", 1)} -> damaged/${PART("2023-01-03", 1)}`,
      `rebuilt ${MANIFEST}`,
      "set aside predictions_monitoring.parquet -> damaged/predictions_monitoring.parquet",
      "rebuilt predictions_monitoring.parquet",
    ]);
    const after = (await examineStore(storage, options)).report;
    expect(after.healthy).toBe(true);
    expect(after.checked).toMatchObject({ featureGroups: 1, partitions: 2, runFolders: 4, historyRows: 18 });
    expect(readParquet(await storage.read("predictions_monitoring.parquet"), predictionsSchema(KEYS)).objects()).toEqual(history);
  }, 600_000);
});
