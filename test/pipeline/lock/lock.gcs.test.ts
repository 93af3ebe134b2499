/**
 * Store locks on GCS: the shared lock behaviour against the Cloud Storage emulator, with the real
 * `@google-cloud/storage` client. The emulator ignores `ifGenerationMatch` (REFERENCE.md section 4),
 * on which the lock's exclusive creates rely, so STORAGE_EMULATOR_HOST points at
 * test/support/gcs-precondition-proxy.ts, which enforces exactly that precondition in front of the
 * emulator and passes everything else through unchanged (it mocks nothing else of GCS). Without it
 * every contender would "win" and the race tests would be meaningless.
 */
import { afterAll, beforeAll } from "vitest";
import { createGcsStorage } from "../../../src/pipeline/storage/gcs.js";
import { startGcsEmulator, type GcsEmulator } from "../../support/gcs-emulator.js";
import { startGcsPreconditionProxy, type GcsPreconditionProxy } from "../../support/gcs-precondition-proxy.js";
import { describeLockBehaviour } from "./behaviour.js";
import { describeLeaseBehaviour } from "./lease-behaviour.js";

const BUCKET = `lock-test-${process.pid}`;
let emulator: GcsEmulator;
let proxy: GcsPreconditionProxy;
let previousHost: string | undefined;
let counter = 0;

beforeAll(async () => {
  emulator = await startGcsEmulator();
  proxy = await startGcsPreconditionProxy(emulator.endpoint);
  previousHost = process.env.STORAGE_EMULATOR_HOST;
  process.env.STORAGE_EMULATOR_HOST = proxy.endpoint;
});

afterAll(async () => {
  if (previousHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
  else process.env.STORAGE_EMULATOR_HOST = previousHost;
  await proxy?.stop();
  await emulator?.stop();
});

// Each open() builds its own client, as a separate run would.
const location = () => {
  const prefix = `stores/s${++counter}`;
  return { open: () => createGcsStorage({ bucket: BUCKET, prefix, projectId: "demo-energy-forecast", retry: false }) };
};
describeLockBehaviour("gcs", location);
describeLeaseBehaviour("gcs", location);
