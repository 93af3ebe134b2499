/**
 * The forecast history, partitioned by origin: one parquet file per origin under
 * `forecasts/origin=<day>/` (storage/layout.ts). A prediction run writes only the file(s) of its
 * own origin(s): a rerun of the same origin replaces its rows (keyed by series and target hour)
 * in that file and keeps the others, as the single-file history did. Nothing rewrites the whole
 * history, so a tick costs the same on a store of a week and of a year.
 *
 * `forecasts/state.json` marks a store whose history is partitioned; a store written the old way
 * (only `predictions_monitoring.parquet`) is split into partitions on first use ({@link ensurePartitioned}).
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import { readParquet } from "../parquet/read.js";
import { writeParquet } from "../parquet/write.js";
import { predictionsSchema } from "../predict/schema.js";
import type { KeyColumn } from "../series/key.js";
import { FORECAST_PART_KEY, FORECASTS_PREFIX, FORECASTS_STATE_KEY, forecastDayPrefix, forecastPartKey, outputKeys } from "../storage/layout.js";
import { readIfExists, type Storage } from "../storage/storage.js";
import { DAY_MS, HOUR_MS } from "../time/index.js";
import { mapLimit, STORAGE_CALLS_IN_FLIGHT } from "../core/limit.js";

const PARQUET = { contentType: "application/vnd.apache.parquet" };

/** What `forecasts/state.json` records. Recomputable from the partition files (doctor does). */
export interface ForecastsState {
  format: "energy-forecast/forecasts-state";
  formatVersion: 1;
  /** Forecast rows over every partition. */
  rows: number;
  /** Latest origin written (epoch ms), null when none. */
  latestOrigin: number | null;
  /** Longest step (hours) of any forecast written: how far before a target day its origins can be. */
  maxStepHours: number;
  /** Rows taken over from a single-file history, when the store was migrated. */
  migrated?: { from: string; rows: number };
}

/** An empty state. */
export function emptyForecastsState(): ForecastsState {
  return { format: "energy-forecast/forecasts-state", formatVersion: 1, rows: 0, latestOrigin: null, maxStepHours: 0 };
}

/** The state, or undefined for a store not (yet) partitioned. */
export async function readForecastsState(storage: Storage): Promise<ForecastsState | undefined> {
  const bytes = await readIfExists(storage, FORECASTS_STATE_KEY);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as ForecastsState;
  } catch (cause) {
    throw new PipelineError(
      "predict",
      `the forecast history state ${FORECASTS_STATE_KEY} in ${storage.uri} is not JSON; run energy-forecast doctor --repair to recompute it from the partitions`,
      { cause },
    );
  }
}

export async function writeForecastsState(storage: Storage, state: ForecastsState): Promise<void> {
  await storage.write(FORECASTS_STATE_KEY, JSON.stringify(state, null, 1), { contentType: "application/json" });
}

/** The UTC day (`yyyy-MM-dd`) of an instant. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The origin (epoch ms) of a partition key, undefined for another key. */
export function partOrigin(key: string): number | undefined {
  const m = FORECAST_PART_KEY.exec(key);
  if (!m) return undefined;
  const s = m[2];
  return Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));
}

/** Every partition file with its origin, in origin order. */
export async function listAllParts(storage: Storage): Promise<Array<{ key: string; origin: number }>> {
  return toParts(await storage.list(FORECASTS_PREFIX));
}

/** The partition files of origins in [from, to] (epoch ms), listing only the days they fall on. */
export async function listParts(storage: Storage, from: number, to: number): Promise<Array<{ key: string; origin: number }>> {
  const days: number[] = [];
  for (let d = Math.floor(from / DAY_MS) * DAY_MS; d <= to; d += DAY_MS) days.push(d);
  const listed = await mapLimit(days, STORAGE_CALLS_IN_FLIGHT, (d) => storage.list(forecastDayPrefix(utcDay(d))));
  return listed.flatMap((keys) => toParts(keys).filter((p) => p.origin >= from && p.origin <= to));
}

function toParts(keys: readonly string[]): Array<{ key: string; origin: number }> {
  const out: Array<{ key: string; origin: number }> = [];
  for (const key of keys) {
    const origin = partOrigin(key);
    if (origin !== undefined) out.push({ key, origin });
  }
  return out.sort((a, b) => a.origin - b.origin);
}

/** Reads partition files into one table (schema order), undefined when there are none. */
export async function readParts(storage: Storage, keys: readonly KeyColumn[], parts: ReadonlyArray<{ key: string }>): Promise<ColumnTable | undefined> {
  const schema = predictionsSchema(keys);
  const tables = await mapLimit(parts, STORAGE_CALLS_IN_FLIGHT, async (p) => readParquet(await storage.read(p.key), schema, p.key));
  if (tables.length === 0) return undefined;
  return concatTables(
    tables,
    schema.map(([n]) => n),
  );
}

/** Concatenates tables of the same columns in one copy per column. */
export function concatTables(tables: readonly ColumnTable[], columns: readonly string[]): ColumnTable {
  if (tables.length === 1) return tables[0];
  const n = tables.reduce((s, t) => s + t.numRows(), 0);
  const out: Record<string, unknown[]> = {};
  for (const c of columns) {
    const a = new Array<unknown>(n);
    let o = 0;
    for (const t of tables) {
      const src = t.array(c) as ArrayLike<unknown>;
      for (let i = 0; i < src.length; i++) a[o++] = src[i];
    }
    out[c] = a;
  }
  return aq.table(out) as ColumnTable;
}

/** Row indices of `table` grouped by origin. */
export function rowsByOrigin(table: ColumnTable): Map<number, number[]> {
  const origins = table.array("origin") as ArrayLike<number>;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < origins.length; i++) {
    let g = groups.get(origins[i]);
    if (!g) groups.set(origins[i], (g = []));
    g.push(i);
  }
  return groups;
}

function maxStep(table: ColumnTable): number {
  const steps = table.array("step") as ArrayLike<number>;
  const times = table.array("datetime_utc") as ArrayLike<number>;
  const origins = table.array("origin") as ArrayLike<number>;
  let m = 0;
  for (let i = 0; i < steps.length; i++) m = Math.max(m, steps[i], Math.ceil((times[i] - origins[i]) / HOUR_MS));
  return m;
}

/** The longest step (hours) of some forecasts, as {@link ForecastsState.maxStepHours} records it. */
export function forecastsMaxStep(table: ColumnTable): number {
  return maxStep(table);
}

/**
 * The state the given partition files make (doctor recomputes it so): their rows, the latest
 * origin, the longest step; `migrated` is kept from `previous`.
 */
export function stateOfParts(
  parts: ReadonlyArray<{ origin: number; rows: number; maxStepHours: number }>,
  previous?: Pick<ForecastsState, "migrated">,
): ForecastsState {
  const state = emptyForecastsState();
  for (const p of parts) {
    state.rows += p.rows;
    state.latestOrigin = state.latestOrigin === null ? p.origin : Math.max(state.latestOrigin, p.origin);
    state.maxStepHours = Math.max(state.maxStepHours, p.maxStepHours);
  }
  return previous?.migrated ? { ...state, migrated: previous.migrated } : state;
}

/**
 * Writes a run's forecasts into the partition files of their origins: rows of the same (origin,
 * series, target hour) already there are replaced, the file's other rows kept.
 */
export async function writeForecastPartitions(
  storage: Storage,
  predictions: ColumnTable,
  keys: readonly KeyColumn[],
  state: ForecastsState,
): Promise<{ state: ForecastsState; replaced: number; written: string[] }> {
  const schema = predictionsSchema(keys);
  const columns = schema.map(([n]) => n);
  const keyNames = keys.map((k) => k.name);
  const order = [...keyNames, "datetime_utc"];
  const on = ["origin", ...order];
  let replaced = 0;
  let rows = state.rows;
  let latest = state.latestOrigin;
  const written: string[] = [];
  // Materialised first: reify(indices) indexes the underlying rows, not a filtered view's.
  const all = predictions.reify().select(columns);
  const groups = rowsByOrigin(all);
  // The bounds first: should the command stop between the writes below, the state still covers
  // every partition file (monitoring finds them by latest origin and longest step); only the row
  // count lags, which doctor reports as a warning and --repair recomputes.
  let bounds = state;
  for (const [origin] of groups) bounds = { ...bounds, latestOrigin: bounds.latestOrigin === null ? origin : Math.max(bounds.latestOrigin, origin) };
  bounds = { ...bounds, maxStepHours: Math.max(bounds.maxStepHours, maxStep(predictions)) };
  if (bounds.latestOrigin !== state.latestOrigin || bounds.maxStepHours !== state.maxStepHours) await writeForecastsState(storage, bounds);
  for (const [origin, indices] of groups) {
    const run = all.reify(indices);
    const key = forecastPartKey(origin);
    const bytes = await readIfExists(storage, key);
    let table = run;
    if (bytes !== undefined) {
      const previous = readParquet(bytes, schema, key);
      const kept = previous.antijoin(run, [on, on]);
      replaced += previous.numRows() - kept.numRows();
      rows -= previous.numRows();
      table = kept.concat(run);
    }
    table = table.orderby(...order);
    await storage.write(key, writeParquet(table, schema), PARQUET);
    rows += table.numRows();
    latest = latest === null ? origin : Math.max(latest, origin);
    written.push(key);
  }
  const next: ForecastsState = { ...state, rows, latestOrigin: latest, maxStepHours: Math.max(state.maxStepHours, maxStep(predictions)) };
  await writeForecastsState(storage, next);
  return { state: next, replaced, written };
}

/**
 * The partition state of the store, migrating a single-file history first when the store has no
 * partitions yet: every row of `predictions_monitoring.parquet` goes to the file of its origin,
 * then the state is written (last, so an interrupted migration is done again, idempotently).
 * A history that does not decode fails with the command that rebuilds it.
 */
export async function ensurePartitioned(storage: Storage, keys: readonly KeyColumn[]): Promise<ForecastsState> {
  const state = await readForecastsState(storage);
  if (state) return state;
  const bytes = await readIfExists(storage, outputKeys.history);
  if (bytes === undefined) {
    const fresh = emptyForecastsState();
    await writeForecastsState(storage, fresh);
    return fresh;
  }
  let legacy: ColumnTable;
  try {
    legacy = readParquet(bytes, predictionsSchema(keys), outputKeys.history);
  } catch (error) {
    if (!(error instanceof PipelineError) || error.domain !== "parquet") throw error;
    throw new PipelineError(
      "predict",
      `the forecast history ${outputKeys.history} in ${storage.uri} cannot be read; run energy-forecast doctor --repair to set it aside under damaged/ and rebuild it from runs/*/predictions.parquet`,
      { cause: error },
    );
  }
  // Partition files an interrupted migration left are replaced row by row: the same rows again.
  const migrated = await writeForecastPartitions(storage, legacy, keys, emptyForecastsState());
  const next: ForecastsState = { ...migrated.state, migrated: { from: outputKeys.history, rows: legacy.numRows() } };
  await writeForecastsState(storage, next);
  return next;
}
