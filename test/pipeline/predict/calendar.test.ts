import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { widthPanel } from "../../../bench/lib/synthetic-panel.js";
import { fixedClock, memoryLogger } from "../../../src/pipeline/core/effects.js";
import { panelEnd, panelUntil } from "../../../src/pipeline/features/panel.js";
import { predict } from "../../../src/pipeline/predict/predict.js";
import { openStorage } from "../../../src/pipeline/storage/open.js";
import { forecasterFactory } from "../../../src/pipeline/train/candidates.js";
import { train } from "../../../src/pipeline/train/train.js";
import { PANEL_GROUP, storePanel } from "../../support/panel-store.js";

// A model reads days on the calendar it was trained with. When the store's dataset is ingested
// again under another calendar, prediction goes on with the model's and says so, until `train`.
describe("predict with a model of another calendar than the store's", () => {
  const dir = mkdtempSync(join(tmpdir(), "predict-calendar-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("warns with both calendars, and is silent once the model is trained on the store's", async () => {
    const storage = openStorage(dir);
    const { panel } = widthPanel({ series: 6, days: 18, seed: 2 });
    const first = panelUntil(panel, panelEnd(panel) - 23 * 3_600_000);
    await storePanel(storage, first, { timeZone: "Europe/Copenhagen", holidays: "DK" });
    const ctx = (runId: string, logger = memoryLogger()) => ({ storage, group: PANEL_GROUP, runId, clock: fixedClock("2023-06-01T00:00:00Z"), logger });
    const options = {
      model: "seasonal-naive-24",
      create: forecasterFactory("seasonal-naive-24", 24),
      trials: [{}],
      folds: 1,
      every: 24,
      horizon: 24,
      alias: "production",
    };
    await train(ctx("run-train-1"), options);
    const run = async (runId: string, upTo = panel) => {
      const logger = memoryLogger();
      const visibleUntil = panelEnd(upTo) + 3_600_000;
      await predict(ctx(runId, logger), { visibleUntil, model: "seasonal-naive-24", ref: "production", horizon: 24, lookbackDays: 7 });
      return logger.lines.filter((l) => l.includes("another calendar"));
    };
    expect(await run("run-predict-1", first)).toEqual([]);

    // The next day ingested without the holidays: the store now records Copenhagen with none.
    await storePanel(storage, panel, { timeZone: "Europe/Copenhagen" });
    const warned = await run("run-predict-2");
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain("predict: the model reads another calendar than the store's dataset records; train again to forecast on the store's");
    expect(warned[0]).toContain("Europe/Copenhagen DK");
    expect(warned[0]).toContain("Europe/Copenhagen none");

    await train(ctx("run-train-2"), options);
    expect(await run("run-predict-3")).toEqual([]);
  });
});
