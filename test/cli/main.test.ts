import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { main } from "../../src/cli/main.js";

// In-process: these check the edge (argument parsing, error rendering), not the pipeline.
function capture(): { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  return { out: () => out, err: () => err };
}

afterEach(() => vi.restoreAllMocks());

describe("energy-forecast", () => {
  it("prints its version", async () => {
    const io = capture();
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(await main(["--version"])).toBe(0);
    expect(io.out().trim()).toBe(pkg.version);
  });

  it("prints a JSON error object on stdout when --json was asked for", async () => {
    const io = capture();
    expect(await main(["--store", "", "predict", "--json"])).toBe(2);
    const body = JSON.parse(io.out()) as { error: { domain: string; message: string; exitCode: number } };
    expect(body.error.domain).toBe("config");
    expect(body.error.exitCode).toBe(2);
    expect(body.error.message).toMatch(/^config: --store is empty \(an unset shell variable\?\)/);
    expect(io.err()).toMatch(/^config: --store is empty/);
  });

  it("keeps stdout empty on failure without --json", async () => {
    const io = capture();
    expect(await main(["--store", "~/x", "predict"])).toBe(2);
    expect(io.out()).toBe("");
    expect(io.err()).toBe(
      'config: store "~/x" holds an unexpanded ~; the shell did not expand it: write the absolute path (e.g. $HOME/x unquoted) or a path relative to the working directory\n',
    );
  });

  it("refuses a horizon above MAX_HORIZON", async () => {
    const io = capture();
    expect(await main(["--store", "/nonexistent-store-for-test", "predict", "--horizon", "10000"])).toBe(2);
    expect(io.err()).toBe("config: --horizon is 10000 hours, above the limit of 168 (MAX_HORIZON); forecast at most 168 hours, or raise MAX_HORIZON\n");
  });

  it("names the command that failed on an empty store, and the file that cannot be read", async () => {
    const store = mkdtempSync(join(tmpdir(), "cli-main-"));
    try {
      const io = capture();
      expect(await main(["--store", store, "monitor"])).toBe(1);
      expect(io.err()).toBe(`monitor: the feature store in ${pathToFileURL(store).href} is empty; run energy-forecast ingest first\n`);
      const missing = join(store, "missing.csv");
      expect(await main(["--store", store, "validate", "--file", missing])).toBe(1);
      expect(io.err()).toContain(`validate: --file "${missing}" not found; pass an existing CSV or parquet file\n`);
      const corrupt = join(store, "corrupt.parquet");
      writeFileSync(corrupt, "not parquet at all");
      expect(await main(["--store", store, "validate", "--file", corrupt])).toBe(1);
      expect(io.err()).toMatch(
        new RegExp(
          `validate: --file "${corrupt.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" is not a readable parquet file \\(.+\\); pass an intact CSV or parquet file`,
        ),
      );
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});
