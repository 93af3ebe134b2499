import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGcsEmulator, type GcsEmulator } from "../support/gcs-emulator.js";
import { createGcsStorage } from "../../src/pipeline/storage/gcs.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";

/**
 * Blocks the event loop for `ms`, as a CPU-bound step does (training fits for seconds without
 * yielding). Meanwhile the server closes the idle keep-alive connection (Node's and the emulator's
 * default idle timeout is 5 s), but the client only learns of it after its next request went out.
 */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

const BLOCK_MS = 6_500;

// A tick talks to the bucket, trains for seconds without yielding, then writes again: the pooled
// connection may be dead by then. The store must ride over that.
describe("GCS store after a long CPU-bound step (stale keep-alive connection)", () => {
  let emulator: GcsEmulator;
  let previousHost: string | undefined;
  let store: Storage;
  beforeAll(async () => {
    emulator = await startGcsEmulator();
    previousHost = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = emulator.endpoint;
    // As the CLI opens it: the client's default retries.
    store = createGcsStorage({ bucket: "stale-connection", prefix: "store", projectId: "demo-energy-forecast" });
  });
  afterAll(async () => {
    if (previousHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = previousHost;
    await emulator?.stop();
  });

  // BUG (src/pipeline/storage/gcs.ts): @google-cloud/storage retries only "idempotent" calls by
  // default (IdempotencyStrategy.RetryConditional). A save without a generation precondition is not
  // one, so it fails at once with `write EPIPE` / `read ECONNRESET`; worse, save() then sets the
  // client-wide `retryOptions.autoRetry = false`, so later reads and lists are not retried either
  // (`socket hang up`). In a tick, the first call after training hits this whenever training blocks
  // longer than the server's idle timeout: seen in the GCS parity backfill under CPU load. Our writes
  // replace a whole object with the same bytes, so retrying them is safe. Fix: in createGcsStorage,
  // build the client with `retryOptions: { idempotencyStrategy: IdempotencyStrategy.RetryAlways }`
  // unless retry is false (IdempotencyStrategy comes from the same dynamic import as Storage);
  // verified against the emulator with the raw client. Unskip then.
  it("keeps writing, reading and listing after the connection went stale", async () => {
    await store.write("a.json", "1");
    busy(BLOCK_MS);
    await store.write("b.json", "2");
    busy(BLOCK_MS);
    expect(new TextDecoder().decode(await store.read("a.json"))).toBe("1");
    busy(BLOCK_MS);
    expect(await store.list("")).toEqual(["a.json", "b.json"]);
  }, 180_000);
});
