import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { fixedClock, silentLogger } from "../../../src/pipeline/core/effects.js";
import { monitor } from "../../../src/pipeline/monitor/monitor.js";
import { readParquet } from "../../../src/pipeline/parquet/read.js";
import { writePredictionOutputs } from "../../../src/pipeline/predict/outputs.js";
import { createLocalStorage } from "../../../src/pipeline/storage/local.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";
import { DAY0, forecasts, GROUP, H, KEYS, NOW, threeDays } from "../doctor/fixtures.js";

const POLICY = { maxMape7d: 0.1, minCoverage80: 0.6 };
const OUTPUTS = [
  "metrics_monitoring.parquet",
  "y_monitoring.parquet",
  ...["series", "step", "model", "origin"].map((w) => `metrics_monitoring_by_${w}.parquet`),
];

async function outputs(storage: Storage): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of OUTPUTS) out[key] = readParquet(await storage.read(key)).objects();
  const state = JSON.parse(new TextDecoder().decode(await storage.read("monitoring/state.json")));
  out.days = state.days;
  for (const key of await storage.list("monitoring/days/")) out[key] = JSON.parse(new TextDecoder().decode(await storage.read(key)));
  return out;
}

describe("incremental monitoring", () => {
  let dir: string;
  let storage: Storage;
  const ctx = () => ({ storage, group: GROUP, runId: "monitor-test", clock: fixedClock(NOW), logger: silentLogger });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "monitor-incremental-"));
    storage = createLocalStorage(dir);
    await threeDays(storage);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("scoring a store tick by tick gives exactly what one full scoring of the same store gives", async () => {
    // Hourly ticks over the three days of truth: monitor, then write the tick's forecasts (6 h ahead).
    const reports = [];
    for (let h = 5; h <= 70; h += 1) {
      const origin = DAY0 + h * H;
      reports.push((await monitor(ctx(), { visibleUntil: origin + H, policy: POLICY })).report);
      const predictions = forecasts(`run-${h}`, origin, 6, 100 + h);
      const X = predictions.select("datetime_utc", "area", "consumer_type");
      const y = aq.table({ datetime_utc: [origin], area: [1], consumer_type: [111], energy_consumption: [1] }) as ColumnTable;
      await writePredictionOutputs(storage, `run-${h}`, { X, y, predictions }, KEYS);
    }
    const last = (await monitor(ctx(), { visibleUntil: DAY0 + 72 * H, policy: POLICY })).report;
    expect(last.scored).toBeGreaterThan(500);
    expect(reports[0]).toMatchObject({ forecasts: 0, scored: 0 });
    const incremental = await outputs(storage);

    for (const key of await storage.list("monitoring/")) await storage.delete(key);
    const full = (await monitor(ctx(), { visibleUntil: DAY0 + 72 * H, policy: POLICY })).report;
    expect(full).toEqual(last);
    expect(await outputs(storage)).toEqual(incremental);
  });

  it("scores again the hours a late forecast was written for", async () => {
    const write = async (runId: string, origin: number, base: number) => {
      const predictions = forecasts(runId, origin, 3, base);
      const X = predictions.select("datetime_utc", "area", "consumer_type");
      await writePredictionOutputs(storage, runId, { X, y: X.derive({ energy_consumption: () => 1 }), predictions }, KEYS);
    };
    await write("a", DAY0 + 10 * H, 10);
    const before = (await monitor(ctx(), { visibleUntil: DAY0 + 60 * H, policy: POLICY })).report;
    expect(before.scored).toBe(6);
    await write("late", DAY0 + 20 * H, 20);
    const after = (await monitor(ctx(), { visibleUntil: DAY0 + 60 * H, policy: POLICY })).report;
    expect(after.scored).toBe(12);
  });
});
