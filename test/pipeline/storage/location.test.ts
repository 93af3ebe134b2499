import { describe, expect, it } from "vitest";
import { publicPath, publicStoreLocation, redactLocalPaths } from "../../../src/pipeline/storage/location.js";

describe("locations recorded in the store", () => {
  it("a local path: relative to the working directory under it, else only its name", () => {
    expect(publicPath("/w/data/x.csv", "/w")).toBe("data/x.csv");
    expect(publicPath("/w", "/w")).toBe(".");
    expect(publicPath("/elsewhere/deep/x.csv", "/w")).toBe("…/x.csv");
    expect(publicPath("/w2/x.csv", "/w")).toBe("…/x.csv");
    expect(publicPath("rel/x.csv", "/w")).toBe("rel/x.csv");
  });

  it("a store: gs:// as it is, a local one by its relative path", () => {
    expect(publicStoreLocation("gs://bucket/prefix", "/w")).toBe("gs://bucket/prefix");
    expect(publicStoreLocation("file:///w/.data/store", "/w")).toBe(".data/store");
    expect(publicStoreLocation("file:///tmp/x/store", "/w")).toBe("…/store");
  });

  it("a message: file URLs and absolute paths replaced, URLs and store keys left alone", () => {
    expect(
      redactLocalPaths(
        'ingest: source file "/w/in/nope.csv" not found in file:///tmp/run/store; see /etc/x.conf, https://api.energidataservice.dk/dataset/X, gs://b/p and runs/r1/manifest.json',
        "/w",
      ),
    ).toBe(
      'ingest: source file "in/nope.csv" not found in …/store; see …/x.conf, https://api.energidataservice.dk/dataset/X, gs://b/p and runs/r1/manifest.json',
    );
  });
});
