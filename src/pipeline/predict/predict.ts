import type { ColumnTable } from "arquero";
import type { Logger } from "../core/effects.js";
import type { StepContext } from "../core/step.js";
import { PipelineError } from "../core/errors.js";
import { formatInstant, HOUR_MS } from "../time/index.js";
import { lastObserved, observedSpan, panelEnd, panelFromTable, panelSubset, type Panel } from "../features/panel.js";
import { FeatureStore } from "../featurestore/store.js";
import { loadForecaster } from "../models/catalog.js";
import { forecastToTable } from "../models/forecast-table.js";
import { SeasonalNaive } from "../models/seasonal-naive.js";
import { emptyForecast } from "../models/forecast.js";
import { formatShard, inShard, type ShardSpec } from "../series/shard.js";
import { keyNames, namedKey, type KeyColumn, type KeyValue } from "../series/key.js";
import { storedCalendar, TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import type { CalendarSpec } from "../features/calendar.js";
import { ModelRegistry, type LoadedModel, type ModelRef } from "../registry/registry.js";
import { reachOf, type Forecaster } from "../models/forecaster.js";
import { inKeyOrder } from "../series/order.js";
import { concatRows } from "../core/columns.js";

/** What batch prediction needs to know. */
export interface PredictOptions {
  /** Data at or after this instant (epoch ms) is not visible yet: the run's as-of minus the data delay. */
  visibleUntil: number;
  /** Registered model name and version, alias or `latest`. */
  model: string;
  ref: ModelRef;
  horizon: number;
  /**
   * Days of history handed to the model, at least: a model that reads further back (its
   * `reachHours`, e.g. 28 days of same-type days) gets what it reads.
   */
  lookbackDays: number;
}

/** The tables of one prediction run and what it did. */
export interface PredictResult {
  tables: { X: ColumnTable; y: ColumnTable; predictions: ColumnTable };
  /** The key columns of the tables. */
  keys: KeyColumn[];
  report: PredictReport;
}

/** What a prediction run did; kept in run manifests. */
export interface PredictReport {
  model: string;
  modelVersion: number;
  /** Last observed hour: the forecast origin (ISO). */
  origin: string;
  horizon: number;
  series: number;
  rows: number;
  inputRows: number;
  /**
   * Series not forecast: their last observation is before the origin (forecasting them would start
   * from a stale origin), or they have less than a day of history.
   */
  stale: Array<{ key: Record<string, KeyValue>; lastObserved: string; reason: "no observation at the origin" | "less than 24 h of history" }>;
  /** Series with less history than the model needs: forecast by the seasonal-naive-24 baseline. */
  baseline: Array<{ key: Record<string, KeyValue>; hours: number }>;
}

/** The model name recorded for baseline forecasts of series too new for the model. */
export const BASELINE_MODEL = "seasonal-naive-24";

/**
 * Forecasts the `horizon` hours after the latest visible observation of every series with the
 * registered model: reads the feature window, loads the model, and returns the reference's
 * `X`, `y` and `predictions` tables (writing them is the caller's job).
 */
export async function predict(ctx: StepContext, options: PredictOptions): Promise<PredictResult> {
  const loaded = await loadPredictModel(ctx, options);
  const input = await readPredictInput(ctx, { ...options, reachHours: reachOf(loaded.forecaster) });
  return forecastWindow(ctx, { ...options, ...input, loaded });
}

/** A registered model, loaded to forecast with. */
export interface PredictModel {
  metadata: LoadedModel["metadata"];
  forecaster: Forecaster;
}

/** Loads the registered model `options.model` at `options.ref`. */
export async function loadPredictModel(ctx: StepContext, options: Pick<PredictOptions, "model" | "ref">): Promise<PredictModel> {
  const loaded = await new ModelRegistry(ctx.storage).load(options.model, options.ref);
  return { metadata: loaded.metadata, forecaster: loadForecaster(loaded.artifact) };
}

/** The feature window a prediction reads, and the key columns of its series. */
export interface PredictInput {
  /** The feature rows of the window before `visibleUntil` ({@link predictWindowHours}; canonical columns, sorted by key, then hour). */
  features: ColumnTable;
  keys: KeyColumn[];
  /** The calendar the store's dataset records (absent for a staged shard's pinned input). */
  calendar?: CalendarSpec;
}

/**
 * A model reads hours and holidays on the calendar it was trained with (saved with it). When the
 * store's dataset now records another (ingested since with other `--calendar-zone`/`--holidays`),
 * the forecasts still use the model's: say so, and how to change it.
 */
function warnOnOtherCalendar(logger: Logger, metadata: object, store: CalendarSpec | undefined): void {
  const model = (metadata as { calendar?: CalendarSpec }).calendar;
  if (!model || !store || (model.zone === store.zone && model.holidays === store.holidays)) return;
  logger.warn("predict: the model reads another calendar than the store's dataset records; train again to forecast on the store's", {
    model: `${model.zone} ${model.holidays}`,
    store: `${store.zone} ${store.holidays}`,
  });
}

/** Hours of the window a prediction reads: `lookbackDays`, or the model's reach when that is longer. */
export function predictWindowHours(lookbackDays: number, reachHours = 0): number {
  return Math.max(lookbackDays * 24, reachHours);
}

/**
 * Reads the feature rows a prediction forecasts from: the {@link predictWindowHours} before
 * `visibleUntil` of the feature store. None is an error naming the window and what to run.
 */
export async function readPredictInput(
  ctx: StepContext,
  options: Pick<PredictOptions, "visibleUntil" | "lookbackDays"> & { reachHours?: number },
): Promise<PredictInput> {
  const { storage, group } = ctx;
  const { visibleUntil } = options;
  const store = new FeatureStore(storage, group);
  const info = await store.info();
  const hours = predictWindowHours(options.lookbackDays, options.reachHours);
  const features = await store.read({ start: visibleUntil - hours * HOUR_MS, end: visibleUntil });
  if (features.numRows() === 0) {
    throw new PipelineError(
      "predict",
      `no feature rows in the ${hours % 24 === 0 ? `${hours / 24} days` : `${hours} hours`} before ${formatInstant(visibleUntil)} in ${storage.uri}; run energy-forecast ingest for that window first`,
    );
  }
  return { features, keys: info.keys.map((k) => ({ name: k.name, type: k.type })), calendar: storedCalendar(info) };
}

/** What {@link forecastWindow} forecasts: a feature window, and optionally only one shard of its series. */
export interface ForecastWindowOptions extends PredictOptions, PredictInput {
  /**
   * Only the series of this shard (series/shard.ts), for a predict shard of a staged run. The rows
   * of the other series are skipped before the panel is built, and the panel's time grid is
   * `grid` (or, without it, the span of every row of `features`, the shard's or not): the grid and
   * origin, and therefore every forecast and every stale series, are those of the whole run, and
   * no feature of any model reads another series.
   */
  shard?: ShardSpec;
  /**
   * The whole window's time grid, first and last hour (epoch ms), as the prepare record pins it;
   * needed when `features` holds only some of the window's series (a shard's bucket of it).
   */
  grid?: { start: number; end: number };
  /** The model, when the caller loaded it already (else it is loaded from the registry). */
  loaded?: PredictModel;
}

/**
 * Forecasts the series of a feature window (or of one shard of it) with the registered model. The
 * one-process path ({@link predict}) and each predict shard of a staged run go through here, so
 * a series' forecast is the same bytes whichever shard computes it.
 */
export async function forecastWindow(ctx: StepContext, options: ForecastWindowOptions): Promise<PredictResult> {
  const { runId, logger } = ctx;
  const { visibleUntil, horizon, features, keys: keyColumnsOfWindow, shard, grid } = options;
  const loaded = options.loaded ?? (await loadPredictModel(ctx, options));
  const { forecaster } = loaded;
  warnOnOtherCalendar(logger, loaded.metadata, options.calendar);
  const sharded = shard !== undefined && shard.count > 1;
  const panel = panelFromTable(features, keyColumnsOfWindow, `feature window before ${formatInstant(visibleUntil)}`, {
    grid,
    include: sharded ? (key) => inShard(key, shard) : undefined,
  });
  const { full, baseline, stale } = splitSeries(panel, forecaster.historyHours ?? 0);
  const parts: ColumnTable[] = [];
  const label = (t: ColumnTable, model: string, version: number) => {
    const n = t.numRows();
    return t.assign({ model: new Array<string>(n).fill(model), model_version: new Int32Array(n).fill(version), run_id: new Array<string>(n).fill(runId) });
  };
  if (full.length > 0) parts.push(label(forecastToTable(forecaster.forecast(horizon, panelSubset(panel, full))), options.model, loaded.metadata.version));
  if (baseline.length > 0) parts.push(label(forecastToTable(new SeasonalNaive(24).forecast(horizon, panelSubset(panel, baseline))), BASELINE_MODEL, 0));
  if (parts.length === 0) {
    if (!sharded) throw nothingToForecast(visibleUntil, stale.length);
    // A shard whose series are all stale (or that got none): an empty part, so finish sees it done.
    parts.push(label(forecastToTable(emptyForecast(panelEnd(panel), horizon, panelSubset(panel, []))), options.model, loaded.metadata.version));
  }
  const predictions = parts.length === 1 ? parts[0] : orderPredictions(concatRows(parts, parts[0].columnNames()), keyColumnsOfWindow);
  const series = full.length + baseline.length;
  logger.info("predict: forecast", {
    model: `${options.model}/v${loaded.metadata.version}`,
    origin: formatInstant(panelEnd(panel)),
    ...(sharded ? { shard: formatShard(shard) } : {}),
    series,
    baseline: baseline.length,
    stale: stale.length,
  });
  if (stale.length > 0) logger.warn("predict: stale series not forecast (no observation at the origin)", { stale: stale.length });
  const keys = keyNames(keyColumnsOfWindow);
  return {
    keys: keyColumnsOfWindow.map((k) => ({ name: k.name, type: k.type })),
    tables: {
      X: features.select(TIME_COLUMN, ...keys),
      y: features.select(TIME_COLUMN, ...keys, VALUE_COLUMN),
      predictions,
    },
    report: {
      model: options.model,
      modelVersion: loaded.metadata.version,
      origin: new Date(panelEnd(panel)).toISOString(),
      horizon,
      series,
      rows: predictions.numRows(),
      inputRows: features.numRows(),
      stale: stale.map((s) => ({
        key: namedKey(panel.keys[s], panel.keyColumns),
        lastObserved: lastSeen(panel, s),
        reason: lastObserved(panel, s) === panel.hours - 1 ? ("less than 24 h of history" as const) : ("no observation at the origin" as const),
      })),
      baseline: baseline.map((s) => ({ key: namedKey(panel.keys[s], panel.keyColumns), hours: observedSpan(panel, s) })),
    },
  };
}

/** The error of a feature window whose every series is stale or too short to forecast. */
export function nothingToForecast(visibleUntil: number, stale: number): PipelineError {
  return new PipelineError(
    "predict",
    `every series in the feature window before ${formatInstant(visibleUntil)} is stale or too short to forecast (${stale} stale); ingest newer data first`,
  );
}

/** True when series `s` of `panel` can be forecast: observed at the panel's last hour, with at least a day of history. */
export function forecastable(panel: Panel, s: number): boolean {
  return lastObserved(panel, s) === panel.hours - 1 && observedSpan(panel, s) >= 24;
}

/**
 * Forecast rows in the order every prediction writes them: by series key, then step. A staged
 * run's finish orders the union of its shards so, which is the order one process writes.
 */
export function orderPredictions(predictions: ColumnTable, keys: readonly KeyColumn[]): ColumnTable {
  // Each part (a shard, the model's and the baseline's series) holds a series' steps together, in order.
  return inKeyOrder(predictions, keys, { within: "step", columns: predictions.columnNames() });
}

/**
 * Sorts the series of `panel` into those the model forecasts, those too new for it (at least a
 * day of history: the baseline forecasts them), and stale ones (no observation at the panel's
 * last hour).
 */
function splitSeries(panel: Panel, historyHours: number): { full: number[]; baseline: number[]; stale: number[] } {
  const full: number[] = [];
  const baseline: number[] = [];
  const stale: number[] = [];
  for (let s = 0; s < panel.keys.length; s++) {
    const span = observedSpan(panel, s);
    if (!forecastable(panel, s)) stale.push(s);
    else if (span < historyHours) baseline.push(s);
    else full.push(s);
  }
  return { full, baseline, stale };
}

function lastSeen(panel: Panel, s: number): string {
  const i = lastObserved(panel, s);
  return i < 0 ? "" : new Date(panel.start + i * HOUR_MS).toISOString();
}
