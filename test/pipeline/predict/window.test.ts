/**
 * Prediction hands a model at least the history it reads. The default blend looks up to 28 days
 * back for days of the target's type (its profile naive and the GBM's same-type means); with
 * LOOKBACK_DAYS at 9 it used to see 9 of them and forecast from other inputs than it was trained
 * on. Now it is handed its whole reach, and forecasts from 9 days what it forecasts from 40 (here
 * every day the store holds: 22 days of the embedded data are visible at the as-of).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlendForecaster } from "../../../src/pipeline/models/blend.js";
import { fixedClock, memoryLogger } from "../../../src/pipeline/core/effects.js";
import type { StepContext } from "../../../src/pipeline/core/step.js";
import { SAME_TYPE_REACH } from "../../../src/pipeline/features/same-type.js";
import { createForecaster, GBM_BLEND_LEVEL_HOURS } from "../../../src/pipeline/models/catalog.js";
import { reachOf } from "../../../src/pipeline/models/forecaster.js";
import { predict, predictWindowHours, type PredictResult } from "../../../src/pipeline/predict/predict.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { visibleUntil as visibleUntilOf } from "../../../src/pipeline/time/index.js";
import { smallConfig, tick } from "../../reliability/tick-harness.js";
import { SMALL_PANEL_SERIES } from "../../support/small-panel.js";

const AS_OF = "2023-01-28T00:00";

describe("the prediction window", () => {
  it("is LOOKBACK_DAYS, or the model's reach when that is longer", () => {
    expect(predictWindowHours(9, SAME_TYPE_REACH)).toBe(673);
    expect(predictWindowHours(28, 169)).toBe(672);
    expect(predictWindowHours(9)).toBe(216);
  });

  it("is the reach of the model's furthest-reaching member", () => {
    // Its profile member reads the same-type days of each of the last 24 hours (its level).
    expect(reachOf(createForecaster("gbm-blend"))).toBe(SAME_TYPE_REACH + GBM_BLEND_LEVEL_HOURS);
    expect(reachOf(createForecaster("gbm"))).toBe(SAME_TYPE_REACH);
    // Its direct global models read what the recursive one reads; its profile is gbm-blend's.
    expect(reachOf(createForecaster("gbm-blend-direct"))).toBe(SAME_TYPE_REACH + GBM_BLEND_LEVEL_HOURS);
    expect(reachOf((createForecaster("gbm-blend-direct") as BlendForecaster).members[0])).toBe(SAME_TYPE_REACH);
    expect(reachOf(createForecaster("seasonal-naive-168"))).toBe(168);
    // gbm-auto's members use no same-type days: its level naive reads a season and a day back.
    expect(reachOf(createForecaster("gbm-auto"))).toBe(192);
    // gbm-choice's members: the global model, the profile naive without level, the weekly naive.
    expect(reachOf(createForecaster("gbm-choice"))).toBe(SAME_TYPE_REACH);
  });
});

describe("prediction with a LOOKBACK_DAYS shorter than the model's reach", () => {
  let dir: string;
  let storage: Storage;
  let ctx: StepContext;
  const config = smallConfig({ TRAIN_FOLDS: "1" });
  const visibleUntil = visibleUntilOf(Date.parse(`${AS_OF}Z`), config.window.delayDays);
  const run = (lookbackDays: number): Promise<PredictResult> =>
    predict(ctx, { visibleUntil, model: config.forecast.model, ref: "production", horizon: 24, lookbackDays });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "predict-window-"));
    storage = createLocalStorage(dir);
    await tick(storage, AS_OF, "run-window-1", "always", config);
    ctx = { storage, group: config.featureGroup, runId: "run-window-2", clock: fixedClock(new Date(`${AS_OF}Z`)), logger: memoryLogger() };
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the model's reach and forecasts what it forecasts from a longer window", async () => {
    expect(config.forecast.model).toBe("gbm-blend");
    const short = await run(9);
    const long = await run(40);
    // The embedded data holds 22 days before the origin: all of them, not 9.
    expect(short.report.inputRows).toBe(SMALL_PANEL_SERIES * 536);
    expect(long.report.inputRows).toBe(short.report.inputRows);
    expect(short.report.origin).toBe(long.report.origin);
    expect(Array.from(short.tables.predictions.array("prediction") as ArrayLike<number>)).toEqual(
      Array.from(long.tables.predictions.array("prediction") as ArrayLike<number>),
    );
  });
});
