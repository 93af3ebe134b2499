/**
 * A GCS endpoint that accepts connections and never answers (a hung proxy, a black-holed load
 * balancer): every storage call must fail within STORAGE_TIMEOUT_SECONDS naming the endpoint,
 * and the command must end, not hang. The endpoint is a real local TCP server that accepts and
 * reads but never writes a byte; the client is the real `@google-cloud/storage`, pointed at it by
 * STORAGE_EMULATOR_HOST.
 */
import { createServer, type Server, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PipelineError } from "../../../src/pipeline/core/errors.js";
import { createGcsStorage } from "../../../src/pipeline/storage/gcs.js";
import { loadConfig } from "../../../src/pipeline/config/config.js";
import { runCli } from "../../support/cli.js";

let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();
let accepted = 0;
let previousHost: string | undefined;

beforeAll(async () => {
  // The store imports the client on first use; load it now so the first timed call measures the endpoint.
  await import("@google-cloud/storage");
  server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("data", () => {}); // read the request, never answer
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  endpoint = `http://127.0.0.1:${address.port}`;
  previousHost = process.env.STORAGE_EMULATOR_HOST;
  process.env.STORAGE_EMULATOR_HOST = endpoint;
});

afterAll(async () => {
  if (previousHost === undefined) delete process.env.STORAGE_EMULATOR_HOST;
  else process.env.STORAGE_EMULATOR_HOST = previousHost;
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Runs `f`, expecting it to reject; returns the error and how long it took. */
async function timed(f: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const t0 = performance.now();
  try {
    await f();
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
  throw new Error("expected a rejection");
}

describe("GCS store against an endpoint that accepts connections and never answers", () => {
  // The client's default retries, as the CLI opens the store.
  const store = () => createGcsStorage({ bucket: "silent-bucket", prefix: "store", projectId: "demo-energy-forecast", timeoutMs: 400 });

  const calls: Array<[string, string, (s: ReturnType<typeof store>) => Promise<unknown>]> = [
    ["read", '"a.json"', (s) => s.read("a.json")],
    ["write", '"a.json"', (s) => s.write("a.json", "{}")],
    ["create", '"locks/run.json"', (s) => s.createExclusive("locks/run.json", "{}")],
    ["list prefix", '"runs/"', (s) => s.list("runs/")],
    ["exists", '"a.json"', (s) => s.exists("a.json")],
    ["delete", '"a.json"', (s) => s.delete("a.json")],
  ];

  for (const [operation, key, call] of calls) {
    it(`${operation} fails within the timeout, naming the endpoint`, async () => {
      const before = accepted;
      const { error, ms } = await timed(() => call(store()));
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as Error).message).toBe(
        `storage: ${operation} ${key} in gs://silent-bucket/store timed out after 0.4 s: ${endpoint} (STORAGE_EMULATOR_HOST) did not answer; ` +
          "check network access to it, or raise STORAGE_TIMEOUT_SECONDS",
      );
      expect(ms).toBeGreaterThanOrEqual(390);
      expect(ms).toBeLessThan(3_000);
      // The request really reached the silent server (it is not refused before connecting).
      expect(accepted).toBeGreaterThan(before);
    });
  }

  it("aborts the abandoned requests: no connection stays open to keep the process alive", async () => {
    await timed(() => store().write("b.json", "{}"));
    await expect.poll(() => sockets.size, { timeout: 5_000, interval: 100 }).toBe(0);
  });

  it("reads STORAGE_TIMEOUT_SECONDS (default 120 s; 0 turns the bound off)", () => {
    expect(loadConfig({}).storageTimeoutMs).toBe(120_000);
    expect(loadConfig({ STORAGE_TIMEOUT_SECONDS: "1.5" }).storageTimeoutMs).toBe(1_500);
    expect(loadConfig({ STORAGE_TIMEOUT_SECONDS: "0" }).storageTimeoutMs).toBe(0);
    expect(() => loadConfig({ STORAGE_TIMEOUT_SECONDS: "soon" })).toThrow('config: STORAGE_TIMEOUT_SECONDS must be a number >= 0, got "soon"');
  });

  it("a command against the silent endpoint exits 1 within the timeout with the endpoint named, and the process ends", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gcs-silent-"));
    try {
      const t0 = performance.now();
      const r = await runCli(
        ["--store", "gs://silent-bucket/store", "ingest"],
        { STORAGE_EMULATOR_HOST: endpoint, GOOGLE_CLOUD_PROJECT: "demo-energy-forecast", STORAGE_TIMEOUT_SECONDS: "1" },
        dir,
      );
      const ms = performance.now() - t0;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `storage: create "locks/run.json" in gs://silent-bucket/store timed out after 1 s: ${endpoint} (STORAGE_EMULATOR_HOST) did not answer; ` +
          "check network access to it, or raise STORAGE_TIMEOUT_SECONDS",
      );
      // tsx start-up plus one bounded call; far below the 120 s default and the former hang.
      expect(ms).toBeLessThan(30_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
