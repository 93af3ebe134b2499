/**
 * Invariants a store must satisfy after any crash or storage failure, shared by the reliability
 * tests: every object decodes, every table of contents points at objects that exist, every
 * registered model loads, and the forecast history holds one row per (origin, series, hour).
 */
import { createHash } from "node:crypto";
import type { ColumnTable } from "arquero";
import { expect } from "vitest";
import { FeatureStore } from "../../src/pipeline/featurestore/store.js";
import { parseManifest } from "../../src/pipeline/featurestore/manifest.js";
import { loadForecaster } from "../../src/pipeline/models/catalog.js";
import { DEFAULT_MODEL } from "../../src/pipeline/models/names.js";
import {
  METRICS_BY_MODEL_SCHEMA,
  METRICS_BY_ORIGIN_SCHEMA,
  METRICS_VS_NAIVE_SCHEMA,
  metricsBySeriesDaySchema,
  METRICS_BY_STEP_SCHEMA,
  METRICS_BY_TIME_SCHEMA,
  metricsBySeriesSchema,
} from "../../src/pipeline/monitor/schema.js";
import { readParquet } from "../../src/pipeline/parquet/read.js";
import type { TableSchema } from "../../src/pipeline/parquet/schema.js";
import { featureSchema } from "../../src/pipeline/dataset/spec.js";
import { predictionsSchema, xSchema, yMonitoringSchema } from "../../src/pipeline/predict/schema.js";
import type { KeyColumn } from "../../src/pipeline/series/key.js";
import { ModelRegistry } from "../../src/pipeline/registry/registry.js";
import { listManifests, type RunManifest } from "../../src/pipeline/run/manifest.js";
import { TEMP_PREFIX } from "../../src/pipeline/storage/keys.js";
import type { Storage } from "../../src/pipeline/storage/storage.js";

export const GROUP = { name: "energy_consumption", version: 1 };
export const FEATURE_MANIFEST = "features/energy_consumption/v1/manifest.json";
export const HISTORY_KEY = "predictions_monitoring.parquet";

/** The series key columns of the store's feature group (its manifest's dataset; DE35 for legacy stores). */
export async function storeKeys(storage: Storage): Promise<KeyColumn[]> {
  return (await new FeatureStore(storage, GROUP).info()).keys.map((k) => ({ name: k.name, type: k.type }));
}

/** The key of the forecast history: origin, the series key columns, the target hour. */
function historyKeys(history: ColumnTable): string[] {
  const names = history.columnNames();
  return ["origin", ...names.slice(0, names.indexOf("datetime_utc")), "datetime_utc"];
}

/** The schema each known parquet key must have, for a store with these key columns (undefined: decode without a schema). */
export function schemaFor(key: string, keys: readonly KeyColumn[]): TableSchema | undefined {
  const name = key.slice(key.lastIndexOf("/") + 1);
  if (key.startsWith("features/")) return featureSchema(keys);
  const byName: Record<string, TableSchema> = {
    "predictions.parquet": predictionsSchema(keys),
    "predictions_monitoring.parquet": predictionsSchema(keys),
    "X.parquet": xSchema(keys),
    "y.parquet": yMonitoringSchema(keys),
    "y_monitoring.parquet": yMonitoringSchema(keys),
    "metrics_monitoring.parquet": METRICS_BY_TIME_SCHEMA,
    "metrics_monitoring_by_series.parquet": metricsBySeriesSchema(keys),
    "metrics_monitoring_by_step.parquet": METRICS_BY_STEP_SCHEMA,
    "metrics_monitoring_by_model.parquet": METRICS_BY_MODEL_SCHEMA,
    "metrics_monitoring_by_origin.parquet": METRICS_BY_ORIGIN_SCHEMA,
    "metrics_monitoring_by_series_day.parquet": metricsBySeriesDaySchema(keys),
    "metrics_monitoring_vs_naive.parquet": METRICS_VS_NAIVE_SCHEMA,
  };
  return byName[name];
}

/** What a consistent store holds (for further assertions). */
export interface StoreSummary {
  keys: string[];
  manifests: RunManifest[];
  featureCommit: number;
  featureRows: number;
  versions: number[];
  production: number | undefined;
  historyRows: number;
}

/**
 * Asserts the store's invariants (see the module comment) and returns what it found. Fails with
 * the offending key, so a crash test that breaks an invariant says where.
 */
export async function checkStore(storage: Storage, model = DEFAULT_MODEL): Promise<StoreSummary> {
  const keys = await storage.list("");
  const temp = keys.filter((k) => k.split("/").some((s) => s.startsWith(TEMP_PREFIX)));
  expect(temp, "temp files listed").toEqual([]);
  const seriesKeys = await storeKeys(storage);

  for (const key of keys) {
    // What doctor --repair set aside is kept because it does not decode.
    if (key.startsWith("damaged/")) continue;
    const bytes = await storage.read(key);
    if (key.endsWith(".json")) {
      expect(() => JSON.parse(new TextDecoder().decode(bytes)), `${key} parses`).not.toThrow();
    } else if (key.endsWith(".parquet")) {
      expect(() => readParquet(bytes, schemaFor(key, seriesKeys), key), `${key} decodes`).not.toThrow();
    }
  }

  // The feature group's table of contents points only at complete partitions.
  let featureCommit = 0;
  let featureRows = 0;
  if (keys.includes(FEATURE_MANIFEST)) {
    const manifest = parseManifest(new TextDecoder().decode(await storage.read(FEATURE_MANIFEST)), FEATURE_MANIFEST);
    for (const [day, entry] of Object.entries(manifest.partitions)) {
      expect(keys, `partition ${day} of commit ${manifest.commit}`).toContain(entry.key);
      expect(readParquet(await storage.read(entry.key), featureSchema(seriesKeys), entry.key).numRows(), `rows of ${entry.key}`).toBe(entry.rows);
    }
    expect(Object.values(manifest.partitions).reduce((s, p) => s + p.rows, 0)).toBe(manifest.rows);
    featureCommit = manifest.commit;
    featureRows = manifest.rows;
  }

  // Every registered version (one with metadata) and every alias loads.
  const registry = new ModelRegistry(storage);
  const versions = await registry.versions(model);
  for (const v of versions) {
    const loaded = await registry.load(model, v);
    expect(() => loadForecaster(loaded.artifact), `${model} v${v} loads`).not.toThrow();
  }
  const aliases = keys.filter((k) => k.startsWith(`models/${model}/aliases/`));
  for (const key of aliases) {
    const alias = key.slice(key.lastIndexOf("/") + 1, -".json".length);
    expect(versions, `alias ${alias} points at a registered version`).toContain(await registry.resolve(model, alias));
  }
  const production = aliases.some((k) => k.endsWith("/production.json")) ? await registry.resolve(model, "production") : undefined;

  // Run manifests: each complete run's outputs and model version exist.
  const manifests = await listManifests(storage);
  for (const m of manifests) {
    expect(keys, `manifest of ${m.runId} in its own folder`).toContain(`runs/${m.runId}/manifest.json`);
    for (const key of Object.values(m.outputs)) expect(keys, `output of ${m.runId}`).toContain(key);
    expect(versions, `model of ${m.runId}`).toContain(m.predict.modelVersion);
  }

  let historyRows = 0;
  if (keys.includes(HISTORY_KEY)) {
    const history = await readTable(storage, HISTORY_KEY);
    historyRows = history.numRows();
    expect(
      history
        .groupby(...historyKeys(history))
        .count()
        .filter("d => d.count > 1")
        .numRows(),
      "duplicate forecasts in the history",
    ).toBe(0);
  }
  return { keys, manifests, featureCommit, featureRows, versions, production, historyRows };
}

/** Reads a parquet object with its known schema (for the store's key columns). */
export async function readTable(storage: Storage, key: string): Promise<ColumnTable> {
  return readParquet(await storage.read(key), schemaFor(key, await storeKeys(storage)), key);
}

/**
 * Content hash of every object, by key; with `only`, of just those keys (the ones that exist), for
 * a comparison that looks at no others (see {@link expectUnchanged}).
 */
export async function snapshot(storage: Storage, only?: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const wanted = only === undefined ? undefined : new Set(only);
  for (const key of await storage.list("")) {
    if (wanted !== undefined && !wanted.has(key)) continue;
    out.set(
      key,
      createHash("sha256")
        .update(await storage.read(key))
        .digest("hex"),
    );
  }
  return out;
}

/**
 * Keys of a snapshot that no later run may change or delete: everything a complete run wrote
 * under `runs/<id>/`, its validation result, and every registered model version.
 */
export function immutableKeys(before: Map<string, string>): string[] {
  const runs = new Set<string>();
  const versions = new Set<string>();
  for (const key of before.keys()) {
    const run = /^runs\/([^/]+)\/manifest\.json$/.exec(key);
    if (run) runs.add(run[1]);
    const version = /^(models\/[^/]+\/v\d+\/)metadata\.json$/.exec(key);
    if (version) versions.add(version[1]);
  }
  return Array.from(before.keys()).filter((key) => {
    const run = /^(?:runs|validation|experiments)\/([^/.]+)/.exec(key)?.[1];
    if (run !== undefined && runs.has(run)) return true;
    return Array.from(versions).some((prefix) => key.startsWith(prefix));
  });
}

/** Asserts that each key in `keys` still holds the bytes it held in `before`. */
export function expectUnchanged(before: Map<string, string>, after: Map<string, string>, keys: Iterable<string>): void {
  const changed: string[] = [];
  for (const key of keys) if (after.get(key) !== before.get(key)) changed.push(key);
  expect(changed, "objects changed or deleted").toEqual([]);
}

/** The feature rows visible in a store (sorted), as plain objects. */
export async function featureRows(storage: Storage): Promise<object[]> {
  return (await new FeatureStore(storage, GROUP).read()).objects();
}

/** Forecast-history rows whose origin is in `origins`, sorted by the history's key. */
export function historyRowsOf(history: ColumnTable, origins: Set<number>): object[] {
  return history
    .params({ origins: Array.from(origins) })
    .filter("(d, $) => op.includes($.origins, d.origin)")
    .orderby(...historyKeys(history))
    .objects();
}

/** Asserts that every row of `part` occurs in `whole` (rows compared as JSON). */
export function expectContainsRows(whole: object[], part: object[]): void {
  const seen = new Set(whole.map((r) => JSON.stringify(r)));
  const missing = part.filter((r) => !seen.has(JSON.stringify(r)));
  expect(missing.slice(0, 3), `${missing.length} of ${part.length} earlier rows missing`).toEqual([]);
}
