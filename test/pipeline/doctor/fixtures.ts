/**
 * Tiny stores for doctor's tests: a DE35 feature group of a few days, and run folders written the
 * way the pipeline writes them (writePredictionOutputs), each with its own forecasts.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { LEGACY_DE35_INFO } from "../../../src/pipeline/dataset/spec.js";
import { FeatureStore } from "../../../src/pipeline/featurestore/store.js";
import { writePredictionOutputs } from "../../../src/pipeline/predict/outputs.js";
import type { KeyColumn } from "../../../src/pipeline/series/key.js";
import type { Storage } from "../../../src/pipeline/storage/storage.js";

export const H = 3_600_000;
export const GROUP = { name: "energy_consumption", version: 1 };
export const PREFIX = "features/energy_consumption/v1/";
export const MANIFEST = `${PREFIX}manifest.json`;
export const KEYS: KeyColumn[] = LEGACY_DE35_INFO.keys.map((k) => ({ name: k.name, type: k.type }));
export const PART = (day: string, commit: number) => `${PREFIX}data/date=${day}/part-${String(commit).padStart(6, "0")}.parquet`;
export const NOW = new Date("2023-02-01T00:00:00Z");
export const DAY0 = Date.UTC(2023, 0, 1);

/** Hourly DE35 rows for two series from `from`, `hours` of them, value = base + hour index (+1000 for the second series). */
export function featureRows(hours: number, base: number, from = DAY0): ColumnTable {
  const r = Array.from({ length: 2 * hours }, (_, i) => i);
  return aq.table({
    datetime_utc: r.map((i) => from + Math.floor(i / 2) * H),
    area: r.map((i) => (i % 2 === 0 ? 1 : 2)),
    consumer_type: r.map(() => 111),
    energy_consumption: r.map((i) => base + Math.floor(i / 2) + (i % 2) * 1000),
  }) as ColumnTable;
}

/** Three days in two commits: days 1-3 at commit 1, day 2 rewritten at commit 2. */
export async function threeDays(storage: Storage): Promise<FeatureStore> {
  const store = new FeatureStore(storage, GROUP);
  await store.upsert(featureRows(72, 0), "ingest-1", NOW);
  await store.upsert(featureRows(24, 500, DAY0 + 24 * H), "ingest-2", NOW);
  return store;
}

/** A run's forecasts of both series, `hours` ahead of `origin`, predictions = base + step. */
export function forecasts(runId: string, origin: number, hours: number, base: number): ColumnTable {
  const r = Array.from({ length: 2 * hours }, (_, i) => i);
  const step = (i: number) => Math.floor(i / 2) + 1;
  return aq.table({
    area: r.map((i) => (i % 2 === 0 ? 1 : 2)),
    consumer_type: r.map(() => 111),
    datetime_utc: r.map((i) => origin + step(i) * H),
    origin: r.map(() => origin),
    step: r.map(step),
    prediction: r.map((i) => base + step(i)),
    lower_80: r.map((i) => base + step(i) - 1),
    upper_80: r.map((i) => base + step(i) + 1),
    lower_95: r.map((i) => base + step(i) - 2),
    upper_95: r.map((i) => base + step(i) + 2),
    model: r.map(() => "seasonal-naive-24"),
    model_version: r.map(() => 1),
    run_id: r.map(() => runId),
  }) as ColumnTable;
}

/**
 * Writes a run as the pipeline does (run folder, latest files, history); with `asOf`, a run
 * manifest too (a complete tick), else none (a `predict` command).
 */
export async function writeRun(storage: Storage, runId: string, origin: number, base: number, asOf?: string, windowDays?: number): Promise<void> {
  const predictions = forecasts(runId, origin, 3, base);
  const X = predictions.select("datetime_utc", "area", "consumer_type");
  const y = aq.table({ datetime_utc: [origin], area: [1], consumer_type: [111], energy_consumption: [1] }) as ColumnTable;
  await writePredictionOutputs(storage, runId, { X, y, predictions }, KEYS, windowDays === undefined ? undefined : { windowDays });
  if (asOf) await storage.write(`runs/${runId}/manifest.json`, JSON.stringify({ format: "energy-forecast/run-manifest", runId, asOf }));
}

/** Four runs: two ticks, a rerun of the second tick's origin (replacing its forecasts), and a predict command. */
export async function fourRuns(storage: Storage): Promise<string[]> {
  const ids = ["run-20230201T000000Z-aaaaaa", "run-20230202T000000Z-bbbbbb", "run-20230202T000500Z-cccccc", "predict-20230203T000000Z-dddddd"];
  await writeRun(storage, ids[0], DAY0 + 71 * H, 100, "2023-01-19T00:00:00.000Z");
  await writeRun(storage, ids[1], DAY0 + 95 * H, 200, "2023-01-20T00:00:00.000Z");
  await writeRun(storage, ids[2], DAY0 + 95 * H, 300, "2023-01-20T00:00:00.000Z");
  await writeRun(storage, ids[3], DAY0 + 119 * H, 400);
  return ids;
}

/**
 * Five daily ticks (origins 23:00 of 2023-01-01..05) with a compacted window of `windowDays`
 * days, and a rerun of the second origin replacing its forecasts: 5 partitions of 6 rows.
 */
export async function fiveDays(storage: Storage, windowDays: number): Promise<{ ids: string[]; rerun: string }> {
  const ids: string[] = [];
  for (let d = 0; d < 5; d++) {
    const id = `run-2023020${d + 1}T000000Z-aaaaa${d}`;
    ids.push(id);
    await writeRun(storage, id, DAY0 + (23 + 24 * d) * H, 100 * d, `2023-01-${String(15 + d).padStart(2, "0")}T00:00:00.000Z`, windowDays);
  }
  const rerun = "run-20230205T000500Z-bbbbbb";
  await writeRun(storage, rerun, DAY0 + 47 * H, 900, "2023-01-16T00:00:00.000Z", windowDays);
  return { ids, rerun };
}
