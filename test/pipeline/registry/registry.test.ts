import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModelNotRegisteredError } from "../../../src/pipeline/registry/errors.js";
import { ModelRegistry } from "../../../src/pipeline/registry/registry.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";

const meta = (createdAt: string) => ({
  createdAt,
  kind: "gbm-global",
  trainingWindow: { start: "2022-12-21T16:00:00.000Z", end: "2023-01-14T22:00:00.000Z" },
  featureStore: { group: "energy_consumption/v1", commit: 1 },
  features: ["lag_1", "hour"],
  hyperparameters: { learningRate: 0.05 },
  metrics: { mape: 0.07 },
  runId: "train-1",
  codeVersion: "0.1.0",
});

describe("ModelRegistry", () => {
  let dir: string;
  let storage: Storage;
  let registry: ModelRegistry;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "registry-"));
    storage = createLocalStorage(dir);
    registry = new ModelRegistry(storage);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("numbers versions, stores artifact and metadata, loads by version, v-name, latest and alias", async () => {
    const v1 = await registry.register("gbm-global", { format: "x", weights: [1] }, meta("2023-01-01T00:00:00Z"));
    const v2 = await registry.register("gbm-global", { format: "x", weights: [2] }, meta("2023-01-02T00:00:00Z"));
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(await storage.list("models/")).toEqual([
      "models/gbm-global/v1/metadata.json",
      "models/gbm-global/v1/model.json",
      "models/gbm-global/v2/metadata.json",
      "models/gbm-global/v2/model.json",
    ]);
    await registry.setAlias("gbm-global", "production", 1);
    expect((await registry.load("gbm-global", "production")).artifact).toEqual({ format: "x", weights: [1] });
    expect((await registry.load("gbm-global", "latest")).artifact).toEqual({ format: "x", weights: [2] });
    expect((await registry.load("gbm-global", "v2")).metadata).toMatchObject({ name: "gbm-global", version: 2, metrics: { mape: 0.07 } });
    expect(await registry.versions("gbm-global")).toEqual([1, 2]);
    expect(await registry.names()).toEqual(["gbm-global"]);
  });

  it("ignores a half-written version (artifact without metadata)", async () => {
    await registry.register("gbm-global", {}, meta("2023-01-01T00:00:00Z"));
    await storage.write("models/gbm-global/v2/model.json", "{}");
    expect(await registry.versions("gbm-global")).toEqual([1]);
    expect((await registry.load("gbm-global", "latest")).metadata.version).toBe(1);
  });

  it("fails clearly for a missing version, alias or model, and a corrupt or incompatible artifact", async () => {
    await registry.register("gbm-global", {}, meta("2023-01-01T00:00:00Z"));
    await expect(registry.load("gbm-global", 7)).rejects.toThrow(`registry: model "gbm-global" has no version 7 in ${storage.uri}; available: v1`);
    await expect(registry.load("gbm-global", "production")).rejects.toThrow(
      `registry: model "gbm-global" has no alias "production" in ${storage.uri}; use latest, a version (v1...), or run energy-forecast train to set it`,
    );
    await expect(registry.load("other", "latest")).rejects.toThrow(`registry: no versions of model "other" in ${storage.uri}; run energy-forecast train first`);
    // Callers (a first tick) branch on the type, never on the text.
    await expect(registry.load("gbm-global", "production")).rejects.toBeInstanceOf(ModelNotRegisteredError);
    await expect(registry.load("other", "latest")).rejects.toMatchObject({ model: "other", ref: "latest" });
    await expect(registry.setAlias("gbm-global", "production", 3)).rejects.toThrow('registry: model "gbm-global" has no version 3');

    await storage.write("models/gbm-global/v1/model.json", '{"trees": [');
    await expect(registry.load("gbm-global", 1)).rejects.toThrow(
      "registry: models/gbm-global/v1/model.json is corrupt (not valid JSON, 11 bytes); re-register the model with energy-forecast train",
    );
    await storage.write(
      "models/gbm-global/v1/metadata.json",
      JSON.stringify({ format: "energy-forecast/model-metadata", formatVersion: 9, name: "gbm-global", version: 1 }),
    );
    await expect(registry.load("gbm-global", 1)).rejects.toThrow(
      "registry: models/gbm-global/v1/metadata.json is not valid metadata for gbm-global v1 (format energy-forecast/model-metadata 9); re-register the model with energy-forecast train",
    );
    await storage.delete("models/gbm-global/v1/model.json");
    await storage.write(
      "models/gbm-global/v1/metadata.json",
      JSON.stringify({ ...meta("x"), format: "energy-forecast/model-metadata", formatVersion: 1, name: "gbm-global", version: 1 }),
    );
    await expect(registry.load("gbm-global", 1)).rejects.toThrow(
      "registry: artifact models/gbm-global/v1/model.json is missing although its metadata exists; the store was altered by hand, re-register the model with energy-forecast train",
    );
  });

  it("rejects bad names and aliases", async () => {
    await expect(registry.versions("GBM")).rejects.toThrow('registry: model name "GBM" is not allowed; use lower-case letters, digits and -');
    await registry.register("m", {}, meta("2023-01-01T00:00:00Z"));
    await expect(registry.setAlias("m", "latest", 1)).rejects.toThrow('registry: alias "latest" is not allowed');
  });
});
