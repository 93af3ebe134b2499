import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/pipeline/core/errors.js";
import { openStorage, parseStoreUri } from "../../../src/pipeline/storage/open.js";

const ACCEPTED = 'use "gs://bucket", "gs://bucket/prefix", "file:///absolute/dir", "file:relative/dir" or a plain directory path';

describe("parseStoreUri", () => {
  it("parses gs:// locations, with and without a prefix", () => {
    expect(parseStoreUri("gs://my-bucket", "/cwd")).toEqual({ kind: "gs", bucket: "my-bucket", prefix: "", uri: "gs://my-bucket" });
    expect(parseStoreUri("gs://my-bucket/", "/cwd")).toEqual({ kind: "gs", bucket: "my-bucket", prefix: "", uri: "gs://my-bucket" });
    expect(parseStoreUri("gs://my-bucket/some/prefix/", "/cwd")).toEqual({
      kind: "gs",
      bucket: "my-bucket",
      prefix: "some/prefix",
      uri: "gs://my-bucket/some/prefix",
    });
  });

  it("parses file URLs, file:relative and plain paths", () => {
    expect(parseStoreUri("file:///data/store", "/cwd")).toEqual({ kind: "file", path: "/data/store", uri: "file:///data/store" });
    expect(parseStoreUri("file:///data/with%20space", "/cwd")).toMatchObject({ path: "/data/with space", uri: "file:///data/with%20space" });
    expect(parseStoreUri("file:rel/dir", "/cwd")).toEqual({ kind: "file", path: "/cwd/rel/dir", uri: "file:///cwd/rel/dir" });
    expect(parseStoreUri("rel/dir/", "/cwd")).toEqual({ kind: "file", path: "/cwd/rel/dir", uri: "file:///cwd/rel/dir" });
    expect(parseStoreUri("./.data", "/cwd")).toMatchObject({ path: "/cwd/.data" });
    expect(parseStoreUri("../up", "/cwd/sub")).toMatchObject({ path: "/cwd/up" });
    expect(parseStoreUri("/abs/dir", "/cwd")).toMatchObject({ kind: "file", path: "/abs/dir" });
  });

  it.each([
    ["", "it is empty"],
    ["s3://bucket/x", 'unsupported scheme "s3:"'],
    ["https://storage.googleapis.com/b", 'unsupported scheme "https:"'],
    ["gs://", "the bucket name is missing"],
    ["gs:///x", "the bucket name is missing"],
    [
      "gs://Bad_Bucket",
      "bad bucket name \"Bad_Bucket\" (bucket names use lowercase letters, digits, '-', '_' and '.', and start and end with a letter or digit)",
    ],
    ["~/store", '"~" is not expanded here; give the full path'],
  ])("rejects %j with a ConfigError naming the accepted forms", (uri, why) => {
    let error: unknown;
    try {
      parseStoreUri(uri, "/cwd");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`config: invalid store location ${JSON.stringify(uri)}: ${why}; ${ACCEPTED}`);
  });

  it("rejects a file URL with a remote host and a gs prefix that escapes", () => {
    expect(() => parseStoreUri("file://otherhost/x", "/cwd")).toThrow(/^config: invalid store location "file:\/\/otherhost\/x": not a local file URL/);
    expect(() => parseStoreUri("gs://bucket-x/a/../b", "/cwd")).toThrow(
      'config: invalid prefix "a/../b" for bucket "bucket-x": keys are relative paths without ".." segments',
    );
  });
});

describe("openStorage", () => {
  it("opens a working local store, relative to the given cwd", async () => {
    const dir = await mkdtemp(join(tmpdir(), "open-storage-"));
    try {
      const store = openStorage("file:store", { cwd: dir });
      expect(store.uri).toBe(`file://${dir}/store`);
      await store.write("x.txt", "hi");
      const again = openStorage(join(dir, "store"));
      expect(again.uri).toBe(store.uri);
      expect(Buffer.from(await again.read("x.txt")).toString()).toBe("hi");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("opens a gs:// store without contacting anything", () => {
    const store = openStorage("gs://my-bucket/pipelines/de35/", { projectId: "p", keyFilename: "/nonexistent/key.json" });
    expect(store.uri).toBe("gs://my-bucket/pipelines/de35");
  });

  it("throws ConfigError for unsupported locations", () => {
    expect(() => openStorage("ftp://host/x")).toThrow(ConfigError);
  });
});
