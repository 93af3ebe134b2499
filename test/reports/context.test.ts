import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { redactPaths, storeLabel } from "../../reports/data/lib/context.js";

describe("report context", () => {
  it("describes a store without printing a local path outside the project", () => {
    expect(storeLabel("file:///srv/secret-place/store", "/anywhere")).toEqual({ kind: "file", label: "a local directory (STORE_URI)" });
    expect(storeLabel(`${PROJECT_ROOT}.data/store`, "/anywhere")).toEqual({ kind: "file", label: ".data/store" });
    expect(storeLabel("gs://my-bucket/energy", "/anywhere")).toEqual({
      kind: "gs",
      label: "gs://my-bucket/energy",
      objectUrlBase: "https://storage.cloud.google.com/my-bucket/energy/",
    });
  });

  it("redacts absolute paths in texts from the store, keeping file names", () => {
    expect(redactPaths("CSV file /tmp/x/bad.csv window=1")).toBe("CSV file …/bad.csv window=1");
    expect(redactPaths(`CSV file ${PROJECT_ROOT}data/de35/a.csv`)).toBe("CSV file data/de35/a.csv");
    expect(redactPaths("store file:///home/me/store/runs failed")).toBe("store …/runs failed");
    expect(redactPaths('open "/etc/creds/key.json": denied')).toBe('open "…/key.json": denied');
    expect(redactPaths("quarantined under quarantine/run-1/ (3 of 16)")).toBe("quarantined under quarantine/run-1/ (3 of 16)");
    expect(redactPaths("a ratio 3/4 and a date 2023-01-14T22:00Z")).toBe("a ratio 3/4 and a date 2023-01-14T22:00Z");
  });
});
