/**
 * Reading the pipeline's outputs for the report: thin wrappers over src/pipeline that turn
 * "not written yet" into `undefined` and leave every other problem as the pipeline's error.
 */
import type { ColumnTable } from "arquero";
import { FeatureStore, RUNS_PREFIX, RUN_FAILURE_KEY, listManifests, readIfExists, readTableIfExists, type DatasetInfo, type FeatureGroupManifest, type RunFailure, type RunManifest, type Storage, type TableSchema } from "../../../src/pipeline/index.js";
import type { ReportContext } from "./context.js";
import { withPresetTitles } from "./series.js";

/** Reads a parquet output, or undefined when the pipeline has not written it yet. */
export function readOptional(storage: Storage, key: string, schema: TableSchema): Promise<ColumnTable | undefined> {
  return readTableIfExists(storage, key, schema);
}

/** Reads and parses a JSON object, or undefined when it does not exist. */
export async function readJsonIfExists<T>(storage: Storage, key: string): Promise<T | undefined> {
  const bytes = await readIfExists(storage, key);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (cause) {
    throw new Error(`${key} in the store is not valid JSON (${bytes.byteLength} bytes); rerun the step that wrote it`, { cause });
  }
}

/**
 * The configured feature group, its manifest (undefined when nothing was ingested) and the dataset
 * it holds (key columns, titles, unit: from the manifest, not from the settings; titles the
 * manifest lacks from the dataset's preset, see {@link withPresetTitles}).
 */
export async function featureGroup(ctx: ReportContext): Promise<{ store: FeatureStore; manifest: FeatureGroupManifest | undefined; info: DatasetInfo }> {
  const store = new FeatureStore(ctx.storage, ctx.config.featureGroup);
  const manifest = await store.manifest();
  return { store, manifest, info: withPresetTitles(await store.info(manifest)) };
}

/** A run as the report lists it: a complete manifest, or a failure record. */
export type RunRecord = { kind: "succeeded"; manifest: RunManifest } | { kind: "failed"; failure: RunFailure };

/** Every run's record (manifests and failure records), oldest as-of first. */
export async function listRuns(storage: Storage): Promise<RunRecord[]> {
  const manifests = await listManifests(storage);
  const done = new Set(manifests.map((m) => m.runId));
  const failures: RunFailure[] = [];
  for (const key of await storage.list(RUNS_PREFIX)) {
    const m = RUN_FAILURE_KEY.exec(key);
    if (!m || done.has(m[1])) continue;
    const failure = await readJsonIfExists<RunFailure>(storage, key);
    if (failure) failures.push(failure);
  }
  const records: RunRecord[] = [
    ...manifests.map((manifest): RunRecord => ({ kind: "succeeded", manifest })),
    ...failures.map((failure): RunRecord => ({ kind: "failed", failure })),
  ];
  const at = (r: RunRecord) => (r.kind === "succeeded" ? r.manifest.startedAt : r.failure.at);
  return records.sort((a, b) => at(a).localeCompare(at(b)));
}

/**
 * Rounds a measured or forecast value for display, in the dataset's unit whatever it is: whole
 * numbers from 1,000 up, four significant digits below (0.8123 MWh keeps its digits).
 */
export function amount(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return Math.abs(v) >= 1000 ? Math.round(v) : Number(v.toPrecision(4));
}

/** Rounds a fraction (an error, a coverage) to 5 decimals; null when not finite. */
export function frac(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return Math.round(v * 1e5) / 1e5;
}

/** A typed column of a table as a plain array. */
export function col<T = number>(table: ColumnTable, name: string): T[] {
  return Array.from(table.array(name) as ArrayLike<T>);
}

/** The largest and smallest of many numbers (spreading a big column into Math.max overflows the stack). */
export function extent(values: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
