/**
 * The pipeline's public entry: what the notebooks, the report's data loaders and the CLI use.
 * They import from here and nothing deeper, so modules behind it can move without breaking them.
 * Start with {@link openWorkspace}; every step takes a {@link StepContext} built from it with
 * {@link stepContext} (its storage, clock and logger, the feature group and a run id).
 */

// Start-up, settings, effects, errors.
export { openWorkspace, type Workspace, type WorkspaceOptions } from "./workspace.js";
export { checkHorizon, checkTimeOrder, loadConfig, type Config, type ConfigOverrides } from "./config/config.js";
export { PROJECT_ROOT } from "./config/paths.js";
export { codeVersion } from "./config/version.js";
export { consoleLogger, fixedClock, memoryLogger, silentLogger, systemClock, type Clock, type Logger } from "./core/effects.js";
export { stepContext, type StepContext } from "./core/step.js";
export { ConfigError, ExitCode, NotFoundError, PipelineError, ValidationFailedError, describeError, exitCodeFor } from "./core/errors.js";

// Time and series keys.
export * from "./time/index.js";
export { compareKeys, keyAt, keyNames, keyValueLabel, rowSeriesId, rowSeriesIds, seriesId, seriesLabel, type KeyValue, type SeriesKey } from "./series/key.js";
export { MAX_SHARDS, SINGLE_SHARD, fnv1a32, formatShard, inShard, parseShard, seriesHash, shardFromTaskEnv, shardOf, type ShardSpec } from "./series/shard.js";

// Datasets.
export { PRESET_NAMES, loadPreset, type DatasetFlags } from "./dataset/preset.js";
export { datasetCalendar, featureSchema, keyColumns, storedCalendar, type DatasetInfo, type DatasetSpec } from "./dataset/spec.js";

// The store: backends, where everything lives, parquet.
export { openStorage, parseStoreUri, type StoreLocation } from "./storage/open.js";
export { readIfExists, type Storage } from "./storage/storage.js";
export * from "./storage/layout.js";
export { parquetSchema, readParquet } from "./parquet/read.js";
export { writeParquet } from "./parquet/write.js";
export type { TableSchema } from "./parquet/schema.js";

// Ingest: sources, the extract-validate-upsert step.
export { ingest, type IngestOptions, type IngestReport } from "./ingest/ingest.js";
export { openSource } from "./ingest/open-source.js";
export { fileSource } from "./ingest/file-source.js";
export { transformRaw } from "./ingest/transform.js";

// Feature store and features.
export { FeatureStore, type FeatureGroupRef } from "./featurestore/store.js";
export type { FeatureGroupManifest } from "./featurestore/manifest.js";
export { DANISH_CALENDAR, HOLIDAY_SETS, localHour, type CalendarSpec, type HolidaySet } from "./features/calendar.js";
export { dayType } from "./features/calendar-grid.js";
export { danishHolidays, dayKind } from "./features/holidays.js";
export { buildTrainingRows } from "./features/matrix.js";
export { panelEnd, panelFromTable, type Panel } from "./features/panel.js";
export { DEFAULT_FEATURE_SPEC, featureNames, historyNeeded } from "./features/spec.js";

// Models, backtests, training, the registry.
export { BACKTEST_MODELS, DEFAULT_MODEL, MODEL_NAMES } from "./models/names.js";
export { createForecaster, loadForecaster } from "./models/catalog.js";
export { SeasonalNaive } from "./models/seasonal-naive.js";
export { runBacktest } from "./backtest/engine.js";
export { backtestJson, formatBacktest, type Breakdown } from "./backtest/format.js";
export { loadSourcePanel } from "./backtest/history.js";
export { mape } from "./backtest/metrics.js";
export { DEFAULT_SEARCH_SPACE, gridTrials, randomTrials, type Trial } from "./train/search.js";
export { forecasterFactory } from "./train/candidates.js";
export { train, type TrainOptions, type TrainReport, type TrialRecord } from "./train/train.js";
export { ModelRegistry } from "./registry/registry.js";
export { ModelNotRegisteredError } from "./registry/errors.js";
export type { ModelMetadata } from "./registry/metadata.js";

// Batch prediction, monitoring, runs.
export { BASELINE_MODEL, forecastWindow, orderPredictions, predict, readPredictInput, type PredictOptions } from "./predict/predict.js";
export { readTableIfExists, writePredictionOutputs } from "./predict/outputs.js";
export { predictionsSchema } from "./predict/schema.js";
export { readForecastHistory, DEFAULT_HISTORY_WINDOW_DAYS } from "./history/window.js";
export { joinActuals } from "./monitor/join.js";
export { monitoringMetrics } from "./monitor/metrics.js";
export {
  METRICS_BY_MODEL_SCHEMA,
  METRICS_BY_ORIGIN_SCHEMA,
  METRICS_BY_STEP_SCHEMA,
  METRICS_BY_TIME_SCHEMA,
  METRICS_VS_NAIVE_SCHEMA,
  NAIVE_PERIODS,
  metricsBySeriesDaySchema,
  metricsBySeriesSchema,
  naiveColumn,
} from "./monitor/schema.js";
export { monitor, type MonitorOptions, type MonitorReport } from "./monitor/monitor.js";
export { listManifests, type RunFailure, type RunManifest } from "./run/manifest.js";
export { recordFailure, runTick, type TickOptions } from "./run/tick.js";
export {
  SHARDING,
  checkRunId,
  checkSameAsOf,
  finishRun,
  predictShard,
  prepareRun,
  readPrepareRecord,
  readRunManifest,
  type FinishOptions,
  type FinishResult,
  type PrepareRecord,
  type PrepareResult,
  type ShardRecord,
  type ShardResult,
} from "./run/stages.js";
export { RunStageError, type RunStageProblem } from "./run/errors.js";
export { parseTrainPolicy } from "./run/policy.js";
export { takeLease } from "./lock/lease.js";

// Store health.
export { examineStore, repairStore, type DoctorOptions } from "./doctor/doctor.js";
export { formatDoctorReport, type DoctorReport } from "./doctor/report.js";

// Data contracts.
export {
  buildFeatureSuite,
  loadSuite,
  renderValidationSummary,
  validate,
  type ExpectationValidationResult,
  type ValidationResult,
} from "../validation/index.js";
