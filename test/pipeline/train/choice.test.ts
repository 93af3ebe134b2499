import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { widthPanel } from "../../../bench/lib/synthetic-panel.js";
import { formatTrainReport } from "../../../src/cli/actions/train.js";
import { fixedClock, memoryLogger } from "../../../src/pipeline/core/effects.js";
import { CHOICE_CANDIDATES } from "../../../src/pipeline/models/catalog.js";
import { ModelRegistry } from "../../../src/pipeline/registry/registry.js";
import { openStorage } from "../../../src/pipeline/storage/open.js";
import { forecasterFactory } from "../../../src/pipeline/train/candidates.js";
import { train } from "../../../src/pipeline/train/train.js";
import { PANEL_GROUP, storePanel } from "../../support/panel-store.js";

// `train` of the model that chooses per deployment, on a store of a generic dataset whose
// calendar is not Danish: the registered model reads days on that calendar, and its metadata
// shows which candidate it kept and the inner-fold MAPE of each.
describe("train gbm-choice on a dataset of its own calendar", () => {
  const dir = mkdtempSync(join(tmpdir(), "train-choice-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("registers the candidate that scored best on the last week, with the stored calendar and the evidence", async () => {
    const storage = openStorage(dir);
    await storePanel(storage, widthPanel({ series: 12, days: 20, seed: 11 }).panel, { timeZone: "America/New_York" });
    const ctx = { storage, group: PANEL_GROUP, runId: "run-choice", clock: fixedClock("2023-06-01T00:00:00Z"), logger: memoryLogger() };
    const report = await train(ctx, {
      model: "gbm-choice",
      create: forecasterFactory("gbm-choice", 24),
      trials: [{ nIterations: 15 }],
      folds: 1,
      every: 24,
      horizon: 24,
    });

    const m = report.registered;
    expect(m.calendar).toEqual({ zone: "America/New_York", holidays: "none" });
    expect(m.choice?.candidates).toEqual(CHOICE_CANDIDATES);
    expect(m.choice?.scores).toHaveLength(4);
    for (const s of m.choice!.scores) expect(s).toBeGreaterThan(0);
    // It kept the candidate with the lowest inner MAPE (the first of equals).
    const best = m.choice!.scores.indexOf(Math.min(...(m.choice!.scores as number[])));
    expect(m.choice?.weights).toEqual(CHOICE_CANDIDATES[best]);

    // The artifact's members read that calendar; the registry's metadata says the same as the report.
    const { artifact, metadata } = await new ModelRegistry(storage).load("gbm-choice", m.version);
    const members = (artifact as { members: Array<{ features?: { calendar: unknown }; calendar?: unknown }> }).members;
    expect(members[0].features?.calendar).toEqual({ zone: "America/New_York", holidays: "none" });
    expect(members[1].calendar).toEqual({ zone: "America/New_York", holidays: "none" });
    expect(metadata).toMatchObject({ calendar: m.calendar, choice: m.choice });

    const text = formatTrainReport(report);
    expect(text).toContain("calendar America/New_York, holidays none");
    expect(m.choice?.members).toEqual(["gbm", "profile-naive-3", "seasonal-naive-168"]);
    const labels = ["0.5 gbm + 0.5 profile-naive-3", "gbm", "seasonal-naive-168", "0.5 gbm + 0.5 seasonal-naive-168"];
    expect(text).toContain(`  chose ${labels[best]} on its last inner folds; MAPE of each candidate there:\n`);
    for (const [i, label] of labels.entries()) {
      const pct = `${((m.choice!.scores[i] as number) * 100).toFixed(2)}%`.padStart(7);
      expect(text).toContain(`  ${i === best ? "*" : " "} ${pct}  ${label}\n`);
    }
  });
});
