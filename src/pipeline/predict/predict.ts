import type { ColumnTable } from "arquero";
import type { Logger } from "../core/effects.js";
import { PipelineError } from "../core/errors.js";
import { DAY_MS, formatInstant } from "../config/time.js";
import { panelEnd, panelFromTable } from "../features/panel.js";
import { FeatureStore, type FeatureGroupRef } from "../featurestore/store.js";
import { loadForecaster } from "../models/catalog.js";
import { forecastToTable } from "../models/forecast-table.js";
import { ModelRegistry, type ModelRef } from "../registry/registry.js";
import type { Storage } from "../storage/storage.js";

/** What batch prediction needs to know. */
export interface PredictOptions {
  /** Data at or after this instant (epoch ms) is not visible yet: the run's as-of minus the data delay. */
  visibleUntil: number;
  /** Registered model name and version, alias or `latest`. */
  model: string;
  ref: ModelRef;
  horizon: number;
  /** Days of history handed to the model (enough for its longest lag and scaling window). */
  lookbackDays: number;
}

/** The tables of one prediction run and what it did. */
export interface PredictResult {
  tables: { X: ColumnTable; y: ColumnTable; predictions: ColumnTable };
  report: {
    model: string;
    modelVersion: number;
    /** Last observed hour: the forecast origin (ISO). */
    origin: string;
    horizon: number;
    series: number;
    rows: number;
    inputRows: number;
  };
}

/**
 * Forecasts the `horizon` hours after the latest visible observation of every series with the
 * registered model: reads the feature window, loads the model, and returns the reference's
 * `X`, `y` and `predictions` tables (writing them is the caller's job).
 */
export async function predict(
  storage: Storage,
  group: FeatureGroupRef,
  runId: string,
  options: PredictOptions,
  logger?: Logger,
): Promise<PredictResult> {
  const { visibleUntil, horizon } = options;
  const features = await new FeatureStore(storage, group).read({ start: visibleUntil - options.lookbackDays * DAY_MS, end: visibleUntil });
  if (features.numRows() === 0) {
    throw new PipelineError(
      "predict",
      `no feature rows in the ${options.lookbackDays} days before ${formatInstant(visibleUntil)} in ${storage.uri}; run energy-forecast ingest for that window first`,
    );
  }
  const loaded = await new ModelRegistry(storage).load(options.model, options.ref);
  const forecaster = loadForecaster(loaded.artifact);
  const panel = panelFromTable(features, `feature window before ${formatInstant(visibleUntil)}`);
  const forecast = forecaster.forecast(horizon, panel);
  const n = forecast.keys.length * horizon;
  const predictions = forecastToTable(forecast).assign({
    model: new Array<string>(n).fill(options.model),
    model_version: new Int32Array(n).fill(loaded.metadata.version),
    run_id: new Array<string>(n).fill(runId),
  });
  logger?.info("predict: forecast", { model: `${options.model}/v${loaded.metadata.version}`, origin: formatInstant(panelEnd(panel)), series: forecast.keys.length });
  return {
    tables: {
      X: features.select("datetime_utc", "area", "consumer_type"),
      y: features.select("datetime_utc", "area", "consumer_type", "energy_consumption"),
      predictions,
    },
    report: {
      model: options.model,
      modelVersion: loaded.metadata.version,
      origin: new Date(panelEnd(panel)).toISOString(),
      horizon,
      series: forecast.keys.length,
      rows: predictions.numRows(),
      inputRows: features.numRows(),
    },
  };
}

