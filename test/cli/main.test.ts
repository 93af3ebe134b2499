import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runCliInProcess } from "../support/cli.js";

// In-process (runCli's clean environment, buffered streams): these check the edge (argument
// parsing, error rendering), not the pipeline.

describe("energy-forecast", () => {
  it("prints its version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const r = await runCliInProcess(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("prints a JSON error object on stdout when --json was asked for", async () => {
    const r = await runCliInProcess(["--store", "", "predict", "--json"]);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout) as { error: { domain: string; message: string; exitCode: number } };
    expect(body.error.domain).toBe("config");
    expect(body.error.exitCode).toBe(2);
    expect(body.error.message).toMatch(/^config: --store is empty \(an unset shell variable\?\)/);
    expect(r.stderr).toMatch(/^config: --store is empty/);
  });

  it("keeps stdout empty on failure without --json", async () => {
    const r = await runCliInProcess(["--store", "~/x", "predict"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'config: store "~/x" holds an unexpanded ~; the shell did not expand it: write the absolute path (e.g. $HOME/x unquoted) or a path relative to the working directory\n',
    );
  });

  it("refuses a horizon above MAX_HORIZON", async () => {
    const r = await runCliInProcess(["--store", "/nonexistent-store-for-test", "predict", "--horizon", "10000"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("config: --horizon is 10000 hours, above the limit of 168 (MAX_HORIZON); forecast at most 168 hours, or raise MAX_HORIZON\n");
  });

  it("names the command that failed on an empty store, and the file that cannot be read", async () => {
    const store = mkdtempSync(join(tmpdir(), "cli-main-"));
    try {
      const monitor = await runCliInProcess(["--store", store, "monitor"]);
      expect(monitor.code).toBe(1);
      expect(monitor.stderr).toBe(`monitor: the feature store in ${pathToFileURL(store).href} is empty; run energy-forecast ingest first\n`);
      const missing = join(store, "missing.csv");
      const absent = await runCliInProcess(["--store", store, "validate", "--file", missing]);
      expect(absent.code).toBe(1);
      expect(absent.stderr).toBe(`validate: --file "${missing}" not found; pass an existing CSV or parquet file\n`);
      const corrupt = join(store, "corrupt.parquet");
      writeFileSync(corrupt, "not parquet at all");
      const unreadable = await runCliInProcess(["--store", store, "validate", "--file", corrupt]);
      expect(unreadable.code).toBe(1);
      expect(unreadable.stderr).toMatch(
        new RegExp(
          `validate: --file "${corrupt.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" is not a readable parquet file \\(.+\\); pass an intact CSV or parquet file`,
        ),
      );
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});
