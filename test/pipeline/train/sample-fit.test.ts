import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { widthPanel } from "../../../bench/lib/synthetic-panel.js";
import { memoryLogger, fixedClock } from "../../../src/pipeline/core/effects.js";
import { panelSubset, panelUntil, panelEnd } from "../../../src/pipeline/features/panel.js";
import { createForecaster, loadForecaster } from "../../../src/pipeline/models/catalog.js";
import type { BlendForecaster } from "../../../src/pipeline/models/blend.js";
import { ModelRegistry } from "../../../src/pipeline/registry/registry.js";
import { openStorage } from "../../../src/pipeline/storage/open.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { forecasterFactory } from "../../../src/pipeline/train/candidates.js";
import { SampledFit, seriesScales, trainingSample } from "../../../src/pipeline/train/sample-fit.js";
import { train } from "../../../src/pipeline/train/train.js";
import { HOUR_MS } from "../../../src/pipeline/time/index.js";
import { storePanel } from "../../support/panel-store.js";

const QUICK = { nIterations: 15 };

describe("SampledFit: the global model trained on a sample of the series", () => {
  const { panel } = widthPanel({ series: 60, days: 10, seed: 3 });
  const history = panelUntil(panel, panelEnd(panel) - 24 * HOUR_MS);

  it("is the plain model, bit for bit, when the panel is within the bound", () => {
    const plain = createForecaster("gbm-blend", QUICK);
    plain.fit(history);
    const wrapped = new SampledFit(createForecaster("gbm-blend", QUICK), 2000);
    wrapped.fit(history);
    expect(wrapped.sample).toMatchObject({ total: 60, eligible: 60, sampled: false });
    expect(JSON.stringify(wrapped.toJSON())).toBe(JSON.stringify(plain.toJSON()));
    expect(wrapped.forecast(24).point).toEqual(plain.forecast(24).point);
  });

  it("trains on the sample and forecasts every series; the artifact is the plain model's kind and predicts the same", () => {
    const wrapped = new SampledFit(createForecaster("gbm-blend", QUICK), 20);
    wrapped.fit(history);
    const sample = wrapped.sample!;
    expect(sample).toMatchObject({ total: 60, eligible: 60, sampled: true, strata: 10 });
    expect(sample.indices).toHaveLength(20);
    expect(sample).toEqual(trainingSample(history, 20));
    // The model equals one fitted on the sampled series alone...
    const alone = createForecaster("gbm-blend", QUICK);
    alone.fit(panelSubset(history, sample.indices));
    expect(JSON.stringify(wrapped.toJSON())).toBe(JSON.stringify(alone.toJSON()));
    // ...and forecasts all 60 series, finite.
    const f = wrapped.forecast(24);
    expect(f.keys).toEqual(history.keys);
    expect(f.point.every(Number.isFinite)).toBe(true);
    // Saved and loaded (what predict does), it forecasts the same from the same history.
    const loaded = loadForecaster(JSON.parse(JSON.stringify(wrapped.toJSON())));
    expect(wrapped.toJSON().kind).toBe("blend");
    expect(loaded.forecast(24, history).point).toEqual(f.point);
    // Calibration set on the wrapper reaches the model it saves.
    const calibration = { horizon: 24, counts: [], lower80: [], upper80: [], lower95: [], upper95: [] };
    wrapped.calibration = calibration;
    expect((wrapped.inner as BlendForecaster).calibration).toBe(calibration);
  });

  it("computes each series' scale as the model does: the mean of its last week", () => {
    const scales = seriesScales(history);
    const v = history.values[7];
    let sum = 0;
    for (let i = history.hours - 168; i < history.hours; i++) sum += v[i];
    expect(scales[7]).toBeCloseTo(sum / 168, 9);
  });
});

describe("train: the series sample in the registry metadata", () => {
  let dir: string;
  let storage: Storage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "train-width-"));
    storage = openStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ctx = (runId: string, logger = memoryLogger()) => ({
    storage,
    group: { name: "energy_consumption", version: 1 },
    runId,
    clock: fixedClock("2023-06-01T00:00:00Z"),
    logger,
  });
  const options = { model: "gbm", create: forecasterFactory("gbm", 24), trials: [QUICK], folds: 1, every: 24, horizon: 24 };

  it("records how many series the model trained on, out of how many, and the rule", async () => {
    await storePanel(storage, widthPanel({ series: 40, days: 16, seed: 5 }).panel);
    const logger = memoryLogger();
    const report = await train(ctx("run-train-1", logger), { ...options, maxSeries: 12 });
    const expected = {
      total: 40,
      eligible: 40,
      used: 12,
      maxSeries: 12,
      sampled: true,
      strata: 10,
      rule: expect.stringContaining("stratified sample of 12 of 40 series with a usable scale (TRAIN_MAX_SERIES=12)"),
      fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/),
    };
    expect(report.registered.trainingSeries).toEqual(expected);
    const stored = (await new ModelRegistry(storage).metadata("gbm", report.registered.version)) as unknown as Record<string, unknown>;
    expect(stored.trainingSeries).toEqual(expected);
    expect(logger.lines.some((l) => l.includes("train: trained on a sample of the series") && l.includes("12"))).toBe(true);

    // The default bound (2,000) keeps all 40 series: the model is what it was before sampling existed.
    const all = await train(ctx("run-train-2"), options);
    expect(all.registered.trainingSeries).toMatchObject({ total: 40, eligible: 40, used: 40, maxSeries: 2000, sampled: false, strata: 0 });
    expect(all.registered.trainingSeries.rule).toBe("every series (40 with a usable scale, within the bound of 2000)");
  });
});
