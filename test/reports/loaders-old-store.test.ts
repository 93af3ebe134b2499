/**
 * A store monitored by a version before monitoring stored the report's aggregates (the per series
 * and day errors, the comparison with the seasonal-naive rules): the loaders still give working
 * pages, each saying what is missing and which command brings it; the next monitor computes the
 * aggregates (rescoring the window's days once, monitor/upgrade.ts) and the pages show them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock, silentLogger } from "../../src/pipeline/core/effects.js";
import { monitor } from "../../src/pipeline/monitor/monitor.js";
import { outputKeys } from "../../src/pipeline/storage/layout.js";
import { openStorage } from "../../src/pipeline/storage/open.js";
import { runLoader, type LoaderRun } from "./run-loader.js";
import { writeSyntheticStore } from "./synthetic-store.js";

const DAYS = 10;
/** The synthetic store's runs saw everything before this instant. */
const VISIBLE_UNTIL = Date.UTC(2023, 0, 1) + DAYS * 86_400_000;

/** Runs `reports/data/<file>.ts` on the store, stdout as bytes. */
const load = (file: string, storeUri: string): Promise<LoaderRun> => runLoader(file, { STORE_URI: storeUri });

async function json(file: string, store: string): Promise<Record<string, unknown>> {
  const r = await load(file, store);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout.toString("utf8")) as { data: Record<string, unknown> }).data;
}

async function dailyLists(store: string): Promise<Array<unknown[] | null>> {
  const r = await load("monitoring-worst.arrow", store);
  expect(r.code, r.stderr).toBe(0);
  return Array.from(tableFromIPC(r.stdout).getChild("daily")!, (l) => (l === null ? null : Array.from(l as Iterable<unknown>)));
}

let tmp: string;
let store: string;

describe("the report on a store monitored before the report's aggregates were stored", () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "report-old-store-"));
    store = join(tmp, "store");
    await writeSyntheticStore(store, { series: 20, days: DAYS, ticks: 3 });
    // What the previous version left: no per series and day table, no comparison with the naive rules.
    const storage = openStorage(store);
    await storage.delete(outputKeys.metricsBy("series_day"));
    await storage.delete(outputKeys.metricsVsNaive);
  }, 600_000);
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("says on the Model and Monitoring pages what is missing and which command brings it; the next monitor does", async () => {
    const model = await json("model.json", store);
    expect(model.horizon).toBeNull();
    expect(model.horizonNote).toBe(
      "The live comparison with the seasonal-naive rules appears after the next monitoring run (npx energy-forecast run, or npx energy-forecast monitor): this store was monitored by a version that did not store it.",
    );
    const monitoring = await json("monitoring.json", store);
    expect(monitoring.dailyNote).toBe(
      "Daily MAPE per series appears after the next monitoring run (npx energy-forecast run, or npx energy-forecast monitor): this store was monitored by a version that did not store it.",
    );
    expect(monitoring.seriesTotal).toBe(20);
    expect(new Set(await dailyLists(store))).toEqual(new Set([null]));
    // The Forecasts page ranks by the overall MAPE instead of the recent one.
    expect(((await json("forecasts.json", store)).recent as { from: unknown }).from).toBeNull();

    await monitor(
      {
        storage: openStorage(store),
        group: { name: "energy_consumption", version: 1 },
        runId: "monitor-upgrade",
        clock: fixedClock(new Date(VISIBLE_UNTIL)),
        logger: silentLogger,
      },
      { visibleUntil: VISIBLE_UNTIL, policy: { maxMape7d: 0.1, minCoverage80: 0.6 } },
    );
    const after = await json("model.json", store);
    expect(after.horizonNote).toBeNull();
    expect((after.horizon as { steps: unknown[] }).steps).toHaveLength(24);
    expect((await json("monitoring.json", store)).dailyNote).toBeNull();
    const lists = await dailyLists(store);
    expect(lists.every((l) => Array.isArray(l) && l.some((v) => typeof v === "number"))).toBe(true);
    expect(((await json("forecasts.json", store)).recent as { from: unknown }).from).toBe(VISIBLE_UNTIL - 7 * 86_400_000);
  }, 240_000);
});
