import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/pipeline/config/config.js";
import { ConfigError, ExitCode } from "../../../src/pipeline/core/errors.js";
import { runCli } from "../../support/cli.js";

const MESSAGE = (raw: string) =>
  `config: TRAIN_MAX_SERIES must be a whole number of series >= 0 (the most series the global model trains on, a stratified sample when there are more; 0: every series), got "${raw}"`;

describe("TRAIN_MAX_SERIES", () => {
  it("defaults to 2,000 series; 0 trains on every series", () => {
    expect(loadConfig({}).forecast.trainMaxSeries).toBe(2000);
    expect(loadConfig({ TRAIN_MAX_SERIES: "500" }).forecast.trainMaxSeries).toBe(500);
    expect(loadConfig({ TRAIN_MAX_SERIES: "0" }).forecast.trainMaxSeries).toBe(0);
    expect(loadConfig({ TRAIN_MAX_SERIES: "" }).forecast.trainMaxSeries).toBe(2000);
  });

  it("refuses a bad value at start-up with a usage error naming the setting", () => {
    for (const raw of ["abc", "-5", "2.5", "1e4"]) {
      let error: unknown;
      try {
        loadConfig({ TRAIN_MAX_SERIES: raw });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(MESSAGE(raw));
      expect((error as ConfigError).exitCode).toBe(ExitCode.usage);
    }
  });

  it("reaches training from the command line: the registered model says it trained on that many series", async () => {
    const dir = mkdtempSync(join(tmpdir(), "train-max-series-"));
    try {
      const store = join(dir, "store");
      expect((await runCli(["ingest", "--store", store, "--as-of", "2023-01-30T00:00"])).code).toBe(0);
      const r = await runCli(["train", "--store", store, "--search", "none", "--folds", "1"], { TRAIN_MAX_SERIES: "20" });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const metadata = JSON.parse(readFileSync(join(store, "models", "gbm-blend", "v1", "metadata.json"), "utf8")) as {
        trainingSeries: { total: number; used: number; maxSeries: number; sampled: boolean };
      };
      expect(metadata.trainingSeries).toMatchObject({ total: 76, used: 20, maxSeries: 20, sampled: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  it("makes the command line exit 2 with that message before touching the store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "train-max-series-"));
    try {
      const r = await runCli(["train", "--store", join(dir, "store")], { TRAIN_MAX_SERIES: "abc" });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(MESSAGE("abc"));
      expect(r.stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
