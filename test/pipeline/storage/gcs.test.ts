/**
 * The GCS backend against the Firebase Cloud Storage emulator (test/support/gcs-emulator.ts), using
 * the real `@google-cloud/storage` client, which talks to the emulator because STORAGE_EMULATOR_HOST
 * is set (the store builds its client lazily, at first use, so setting it in beforeAll is enough).
 *
 * Emulator limits (REFERENCE.md section 4): `createBucket` is not supported (buckets appear on first
 * write), and `ifGenerationMatch` preconditions are ignored. `createExclusive` depends on exactly
 * that precondition, so STORAGE_EMULATOR_HOST points at test/support/gcs-precondition-proxy.ts, a
 * real HTTP proxy in front of the emulator that enforces `ifGenerationMatch=0` on uploads (the one
 * precondition GCS applies for us) and passes every other request through unchanged. It is not a
 * mock of GCS semantics for anything else; one test below shows the emulator alone ignoring the
 * precondition, so the day it stops doing that, the proxy can go.
 */
import { Storage as GcsClient } from "@google-cloud/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, PipelineError } from "../../../src/pipeline/core/errors.js";
import { contentTypeFor, createGcsStorage } from "../../../src/pipeline/storage/gcs.js";
import { startGcsEmulator, type GcsEmulator } from "../../support/gcs-emulator.js";
import { startGcsPreconditionProxy, type GcsPreconditionProxy } from "../../support/gcs-precondition-proxy.js";
import { describeStorageBehaviour } from "./behaviour.js";

// One bucket per test file, one prefix per store, so parallel files and tests never share objects.
const BUCKET = `gcs-test-${process.pid}`;
let emulator: GcsEmulator;
let proxy: GcsPreconditionProxy;
let previousHost: string | undefined;
let counter = 0;
const freshPrefix = (): string => `runs/t${++counter}`;
const newStore = (prefix = freshPrefix()) => createGcsStorage({ bucket: BUCKET, prefix, projectId: "demo-energy-forecast", retry: false });
/** A raw client, to check what our store really put into the bucket. */
const raw = (): GcsClient => new GcsClient({ projectId: "demo-energy-forecast", retryOptions: { autoRetry: false } });

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

describeStorageBehaviour("gcs", () => newStore());

describe("gcs storage specifics", () => {
  it("has a gs://bucket/prefix uri and normalises surrounding slashes", () => {
    expect(createGcsStorage({ bucket: "my-bucket", prefix: "a/b" }).uri).toBe("gs://my-bucket/a/b");
    expect(createGcsStorage({ bucket: "my-bucket", prefix: "/a/b/" }).uri).toBe("gs://my-bucket/a/b");
    expect(createGcsStorage({ bucket: "my-bucket" }).uri).toBe("gs://my-bucket");
  });

  it("rejects bad bucket names and prefixes with ConfigError", () => {
    expect(() => createGcsStorage({ bucket: "My_Bucket" })).toThrow(ConfigError);
    expect(() => createGcsStorage({ bucket: "My_Bucket" })).toThrow(
      "config: invalid GCS bucket name \"My_Bucket\": bucket names use lowercase letters, digits, '-', '_' and '.', and start and end with a letter or digit",
    );
    expect(() => createGcsStorage({ bucket: "ab" })).toThrow('config: invalid GCS bucket name "ab": bucket names are 3 to 63 characters long');
    expect(() => createGcsStorage({ bucket: "ok-bucket", prefix: "a/../b" })).toThrow(
      'config: invalid prefix "a/../b" for bucket "ok-bucket": keys are relative paths without ".." segments',
    );
  });

  it("writes real objects named <prefix>/<key>, visible to a raw client", async () => {
    const prefix = freshPrefix();
    const store = newStore(prefix);
    await store.write("features/v1/part-0.parquet", new Uint8Array([1, 2, 3]));
    await store.write("features/v1/manifest.json", '{"rows": 3}');
    const [files] = await raw()
      .bucket(BUCKET)
      .getFiles({ prefix: `${prefix}/` });
    expect(files.map((f) => f.name).sort()).toEqual([`${prefix}/features/v1/manifest.json`, `${prefix}/features/v1/part-0.parquet`]);
    const [bytes] = await raw().bucket(BUCKET).file(`${prefix}/features/v1/part-0.parquet`).download();
    expect(Array.from(bytes)).toEqual([1, 2, 3]);
    // And the other way round: an object written by someone else is readable through the store.
    await raw().bucket(BUCKET).file(`${prefix}/external.txt`).save("from outside", { resumable: false });
    expect(Buffer.from(await store.read("external.txt")).toString()).toBe("from outside");
  });

  it("records the content type: explicit, else by extension, else by data kind", async () => {
    const prefix = freshPrefix();
    const store = newStore(prefix);
    await store.write("a.bin", new Uint8Array([0]), { contentType: "application/x-custom" });
    await store.write("m.json", "{}");
    await store.write("p.parquet", new Uint8Array([0]));
    await store.write("note", "text");
    await store.write("blob", new Uint8Array([0]));
    const types: Record<string, string | undefined> = {};
    for (const key of ["a.bin", "m.json", "p.parquet", "note", "blob"]) {
      const [metadata] = await raw().bucket(BUCKET).file(`${prefix}/${key}`).getMetadata();
      types[key] = metadata.contentType;
    }
    expect(types).toEqual({
      "a.bin": "application/x-custom",
      "m.json": "application/json",
      "p.parquet": "application/vnd.apache.parquet",
      note: "text/plain; charset=utf-8",
      blob: "application/octet-stream",
    });
    expect(contentTypeFor("X.CSV", "a")).toBe("text/csv; charset=utf-8");
  });

  it("records the content type of exclusive creates too", async () => {
    const prefix = freshPrefix();
    const store = newStore(prefix);
    expect(await store.createExclusive("locks/run.json", "{}")).toBe(true);
    expect(await store.createExclusive("x.bin", "x", { contentType: "application/x-custom" })).toBe(true);
    const [lock] = await raw().bucket(BUCKET).file(`${prefix}/locks/run.json`).getMetadata();
    const [custom] = await raw().bucket(BUCKET).file(`${prefix}/x.bin`).getMetadata();
    expect([lock.contentType, custom.contentType]).toEqual(["application/json", "application/x-custom"]);
  });

  describe("createExclusive and the precondition proxy", () => {
    it("the real client sends ifGenerationMatch=0 on a single-request upload; a second create gets 412", async () => {
      const prefix = freshPrefix();
      const store = newStore(prefix);
      const name = `${prefix}/locks/run.json`;
      const uploadsOf = () => proxy.requests.filter((r) => r.query.name === name);
      expect(await store.createExclusive("locks/run.json", "mine")).toBe(true);
      expect(await store.createExclusive("locks/run.json", "theirs")).toBe(false);
      expect(uploadsOf()).toEqual([
        {
          method: "POST",
          path: `/upload/storage/v1/b/${BUCKET}/o`,
          query: { uploadType: "multipart", name, ifGenerationMatch: "0" },
          status: 200,
        },
        {
          method: "POST",
          path: `/upload/storage/v1/b/${BUCKET}/o`,
          query: { uploadType: "multipart", name, ifGenerationMatch: "0" },
          status: 412,
        },
      ]);
      // A plain write carries no precondition: it overwrites.
      await store.write("locks/run.json", "overwritten");
      expect(uploadsOf()[2].query).toEqual({ uploadType: "multipart", name });
      expect(Buffer.from(await store.read("locks/run.json")).toString()).toBe("overwritten");
    });

    it("the emulator alone ignores ifGenerationMatch (why the proxy exists)", async () => {
      const saved = process.env.STORAGE_EMULATOR_HOST;
      process.env.STORAGE_EMULATOR_HOST = emulator.endpoint;
      const direct = newStore();
      try {
        expect(await direct.createExclusive("k.txt", "first")).toBe(true); // the client is built here, without the proxy
      } finally {
        process.env.STORAGE_EMULATOR_HOST = saved;
      }
      // If this ever returns false, the emulator enforces the precondition and the proxy can go.
      expect(await direct.createExclusive("k.txt", "second")).toBe(true);
      expect(Buffer.from(await direct.read("k.txt")).toString()).toBe("second");
    });

    it("the proxy refuses preconditions it does not enforce, instead of letting the emulator ignore them", async () => {
      const resumable = await fetch(`${proxy.endpoint}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=a&ifGenerationMatch=0`, {
        method: "POST",
      });
      expect(resumable.status).toBe(501);
      const conditionalDelete = await fetch(`${proxy.endpoint}/storage/v1/b/${BUCKET}/o/a?ifGenerationMatch=7`, { method: "DELETE" });
      expect(conditionalDelete.status).toBe(501);
      const body = (await conditionalDelete.json()) as { error: { code: number; message: string } };
      expect(body.error.code).toBe(501);
      expect(body.error.message).toBe(
        "precondition proxy: ifGenerationMatch on DELETE /storage/v1/b/" +
          `${BUCKET}/o/a?uploadType= is not enforced (only ifGenerationMatch=0 on single-request uploads with the name in the query is); ` +
          "the emulator would ignore it",
      );
      await resumable.arrayBuffer();
    });
  });

  it("keeps stores with string-prefix-related prefixes apart (run vs run-2)", async () => {
    const base = freshPrefix();
    const one = newStore(`${base}/run`);
    const two = newStore(`${base}/run-2`);
    await one.write("k", "one");
    await two.write("k", "two");
    expect(await one.list("")).toEqual(["k"]);
    expect(await two.list("")).toEqual(["k"]);
    expect(Buffer.from(await one.read("k")).toString()).toBe("one");
    // A store at the bucket root sees both, under their full names.
    const root = createGcsStorage({ bucket: BUCKET, retry: false });
    expect(await root.list(`${base}/`)).toEqual([`${base}/run-2/k`, `${base}/run/k`]);
  });

  it("follows list pagination to the end", async () => {
    const prefix = freshPrefix();
    const store = createGcsStorage({ bucket: BUCKET, prefix, retry: false, listPageSize: 3 });
    const keys = Array.from({ length: 10 }, (_, i) => `item-${String(i).padStart(2, "0")}`);
    for (const key of [...keys].reverse()) await store.write(key, key);
    expect(await store.list("")).toEqual(keys);
    expect(await store.list("item-0")).toEqual(keys.slice(0, 10));
    expect(await store.list("item-1")).toEqual([]);
  });

  it("skips folder placeholder objects (names ending in '/')", async () => {
    const prefix = freshPrefix();
    const store = newStore(prefix);
    await store.write("dir/file.txt", "x");
    await raw().bucket(BUCKET).file(`${prefix}/dir/`).save("", { resumable: false });
    expect(await store.list("")).toEqual(["dir/file.txt"]);
  });

  it("constructs its client lazily: the emulator host is read at first use, not at creation", async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    delete process.env.STORAGE_EMULATOR_HOST;
    let store;
    try {
      store = newStore();
    } finally {
      process.env.STORAGE_EMULATOR_HOST = saved;
    }
    await store.write("lazy.txt", "ok");
    expect(Buffer.from(await store.read("lazy.txt")).toString()).toBe("ok");
  });

  it("surfaces an unreachable service as a storage: PipelineError naming operation, key and bucket", async () => {
    // A second emulator that we stop after a successful write: the store's client keeps pointing at it.
    const doomed = await startGcsEmulator();
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = doomed.endpoint;
    const store = newStore("doomed");
    try {
      await store.write("k.json", "{}"); // the client is built here, against `doomed`
    } finally {
      process.env.STORAGE_EMULATOR_HOST = saved;
    }
    await doomed.stop();
    const started = Date.now();
    for (const [operation, run] of [
      ["read", () => store.read("k.json")],
      ["write", () => store.write("k.json", "{}")],
      ["create", () => store.createExclusive("k.json", "{}")],
      ["exists", () => store.exists("k.json")],
      ["delete", () => store.delete("k.json")],
      ["list prefix", () => store.list("k")],
    ] as Array<[string, () => Promise<unknown>]>) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PipelineError);
      const message = (error as Error).message;
      const key = operation === "list prefix" ? "k" : "k.json";
      expect(message.startsWith(`storage: ${operation} "${key}" in gs://${BUCKET}/doomed failed: `)).toBe(true);
      expect(message).toContain("ECONNREFUSED");
      expect(message).toMatch(new RegExp(`; check network access to ${doomed.endpoint.replace(/[.]/g, "\\.")} \\(set by STORAGE_EMULATOR_HOST\\)$`));
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
    // retry: false keeps this fast instead of the client's exponential backoff.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
