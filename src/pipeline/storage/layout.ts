/**
 * Every key and prefix of the store, in one place: no other module spells a key. Keys are
 * relative, `/`-separated (see storage.ts); a store written by one version of the pipeline is read
 * by the next, so **never change what a function here returns**: stores on disk and in buckets
 * would stop being found. Add a new key here, with its row in the table below.
 *
 * | Key or prefix                                                        | What lives there                                                        | Written by                                        |
 * | -------------------------------------------------------------------- | ----------------------------------------------------------------------- | ------------------------------------------------- |
 * | `X.parquet`, `y.parquet`, `predictions.parquet`                      | the latest prediction run's inputs, truth and forecasts                 | predict (predict/outputs.ts); doctor restores     |
 * | `predictions_monitoring.parquet`                                     | compacted window: the forecasts of the last HISTORY_WINDOW_DAYS days of origins (rewritten each tick; full history under `forecasts/`) | predict (history/window.ts); doctor --repair |
 * | `y_monitoring.parquet`, `metrics_monitoring.parquet`                 | compacted window: the truth monitoring joined; errors per target hour (last HISTORY_WINDOW_DAYS days of target hours) | monitor (monitor/monitor.ts)                      |
 * | `metrics_monitoring_by_<series\|series_day\|step\|model\|origin>.parquet` | compacted window: monitoring's error summaries over the same days (series_day: per series and target day) | monitor                           |
 * | `metrics_monitoring_vs_naive.parquet`                                | compacted window: the live forecasts' MAPE per step next to the seasonal-naive rules' on the same hours | monitor                         |
 * | `forecasts/origin=<day>/<origin>.parquet`                            | the full forecast history, one file per origin (origin: `yyyyMMddTHHmmssZ`); a rerun replaces its origin's rows | predict (history/partitions.ts); doctor --repair  |
 * | `forecasts/state.json`                                               | the partitioned history's marker (migration done) and row count         | predict, monitor (first use); doctor              |
 * | `monitoring/days/date=<day>.json`                                    | monitoring's error sums of the target hours of one day (UTC), in format version 2 (`formatVersion`; older files are rescored once) | monitor (monitor/incremental.ts) |
 * | `monitoring/state.json`                                              | the last scored hour, per-day totals; recomputable from the partitions  | monitor; predict marks late forecasts             |
 * | `runs/<runId>/{X,y,predictions}.parquet`                             | immutable copies of one prediction run's outputs                        | predict                                           |
 * | `runs/<runId>/manifest.json`                                         | the record of a complete tick (written last)                            | run/tick.ts                                       |
 * | `runs/<runId>/failure.json`                                          | why and where a tick failed                                             | run/tick.ts                                       |
 * | `runs/<runId>/stages/prepare.json`                                   | a staged run's prepare record: as-of, model version, origin, series     | run/stages.ts (`run --stage prepare`)             |
 * | `runs/<runId>/stages/features.parquet`                               | the feature window every predict shard of the run forecasts from        | run/stages.ts (`run --stage prepare`)             |
 * | `runs/<runId>/shards/shard-<K>-of-<N>.parquet`, `.json`              | one predict shard's forecasts, then its record (written last: publishes it) | run/stages.ts (`run --stage predict`), no lock |
 * | `validation/<runId>.json`                                            | an ingest's validation result (GE-shaped)                               | ingest (ingest/ingest.ts)                         |
 * | `quarantine/<runId>/extract.parquet`, `quarantine/<runId>/info.json` | an extract that failed validation, and what failed                      | ingest                                            |
 * | `features/<name>/v<version>/manifest.json`                           | a feature group's manifest (written last by each commit)                | featurestore; doctor --repair rebuilds it         |
 * | `features/<name>/v<version>/data/date=<day>/part-<commit>.parquet`   | a feature group's partition files (commit: 6 digits)                    | featurestore                                      |
 * | `models/<name>/v<N>/model.json`, `models/<name>/v<N>/metadata.json`  | a registered model version: artifact, then metadata (written last)      | registry (train)                                  |
 * | `models/<name>/aliases/<alias>.json`                                 | an alias, e.g. `production` -> version N                                | registry (train)                                  |
 * | `experiments/<runId>/trial-<NNN>.json`                               | one scored hyperparameter trial of a training run                       | train (train/train.ts)                            |
 * | `locks/<name>.json`                                                  | the store-wide lock (`run`) of the command writing the store            | lock (lock/lock.ts)                               |
 * | `locks/<name>.takeover/<token>-<n>.json`                             | claims to take over an expired lock                                     | lock                                              |
 * | `damaged/<key>`, `damaged/<key minus ext>.<n>.<ext>`                 | objects set aside because they do not read (never read or deleted)      | doctor --repair; featurestore's upsert            |
 *
 * The backends' in-progress writes (`.tmp-*`, storage/keys.ts) are no keys of the store.
 */

// ---------------------------------------------------------------------------------------------
// Outputs: at the store's root (the latest run's and monitoring's), and under runs/<runId>/.
// ---------------------------------------------------------------------------------------------

/** What monitoring summarises its errors by, one file each. */
export type MetricsBreakdown = "series" | "series_day" | "step" | "model" | "origin";

/**
 * Keys of the prediction and monitoring outputs at the store's root. `X`, `y` and `predictions`
 * are also the file names of a run folder's copies ({@link runFileKey}).
 */
export const outputKeys = {
  /** The latest prediction run's model inputs (time and keys). */
  X: "X.parquet",
  /** The latest prediction run's truth (the feature columns). */
  y: "y.parquet",
  /** The latest prediction run's forecasts. */
  predictions: "predictions.parquet",
  /**
   * The forecast history's compacted window: every forecast of the last HISTORY_WINDOW_DAYS days
   * of origins, rewritten each tick. The full history is in the partitions ({@link forecastPartKey}).
   */
  history: "predictions_monitoring.parquet",
  /** Monitoring's errors per target hour, plus the trailing 7-day window (compacted window: last HISTORY_WINDOW_DAYS days). */
  metrics: "metrics_monitoring.parquet",
  /** The truth monitoring joined with the history (compacted window). */
  yMonitoring: "y_monitoring.parquet",
  /** Monitoring's errors summarised by `what`, e.g. `metrics_monitoring_by_series.parquet` (compacted window). */
  metricsBy: (what: MetricsBreakdown): string => `metrics_monitoring_by_${what}.parquet`,
  /** The live forecasts' MAPE per step next to the seasonal-naive rules' on the same hours (compacted window). */
  metricsVsNaive: "metrics_monitoring_vs_naive.parquet",
};

// ---------------------------------------------------------------------------------------------
// Runs: runs/<runId>/
// ---------------------------------------------------------------------------------------------

/** Prefix of every run folder. */
export const RUNS_PREFIX = "runs/";

/** File names in a run folder besides the output copies. */
export const runFiles = {
  /** The record of a complete tick; written last. */
  manifest: "manifest.json",
  /** The record of a failed tick. */
  failure: "failure.json",
};

/** The folder of run `runId`, e.g. `runs/run-20230101T000000Z-abc123/`. */
export function runPrefix(runId: string): string {
  return `${RUNS_PREFIX}${runId}/`;
}

/** File `file` of run `runId`'s folder, e.g. `runs/<runId>/predictions.parquet`. */
export function runFileKey(runId: string, file: string): string {
  return `${runPrefix(runId)}${file}`;
}

/** The manifest of run `runId`: `runs/<runId>/manifest.json`. */
export function runManifestKey(runId: string): string {
  return runFileKey(runId, runFiles.manifest);
}

/** The failure record of run `runId`: `runs/<runId>/failure.json`. */
export function runFailureKey(runId: string): string {
  return runFileKey(runId, runFiles.failure);
}

/** A file directly in a run folder; groups: run id, file name. */
export const RUN_FILE_KEY = /^runs\/([^/]+)\/([^/]+)$/;

/** A run manifest (`runs/<runId>/manifest.json`); group: run id. */
export const RUN_MANIFEST_KEY = /^runs\/([^/]+)\/manifest\.json$/;

/** A run failure record (`runs/<runId>/failure.json`); group: run id. */
export const RUN_FAILURE_KEY = /^runs\/([^/]+)\/failure\.json$/;

/** A run folder's forecasts (`runs/<runId>/predictions.parquet`); group: run id. */
export const RUN_PREDICTIONS_KEY = /^runs\/([^/]+)\/predictions\.parquet$/;

/**
 * A run id usable as one segment of a store key on every backend: 1..128 letters, digits, `.`,
 * `_` or `-`, starting with a letter or digit (so never `.`, `..`, a `.tmp-` name or a flag).
 */
export const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

// ---------------------------------------------------------------------------------------------
// Staged runs: runs/<runId>/stages/ (prepare) and runs/<runId>/shards/ (predict shards)
// ---------------------------------------------------------------------------------------------

/** A shard of a staged run, as the keys below name it: `index` in 0..count-1. */
export interface ShardRef {
  index: number;
  count: number;
}

/** The folder of a staged run's stage records: `runs/<runId>/stages/`. */
export function runStagesPrefix(runId: string): string {
  return `${runPrefix(runId)}stages/`;
}

/** The prepare stage's record (written last by the stage): `runs/<runId>/stages/prepare.json`. */
export function runPrepareKey(runId: string): string {
  return `${runStagesPrefix(runId)}prepare.json`;
}

/** The feature window the predict shards read (written by prepare): `runs/<runId>/stages/features.parquet`. */
export function runInputKey(runId: string): string {
  return `${runStagesPrefix(runId)}features.parquet`;
}

/**
 * One bucket of the feature window (written by prepare, before its record): the rows of the series
 * whose key hashes to `bucket` mod `count` (series/shard.ts), so a predict shard reads only the
 * buckets of its own series: `runs/<runId>/stages/features/bucket-<b, 5 digits>-of-<count, 5 digits>.parquet`.
 */
export function runInputBucketKey(runId: string, bucket: number, count: number): string {
  return `${runStagesPrefix(runId)}features/bucket-${String(bucket).padStart(5, "0")}-of-${String(count).padStart(5, "0")}.parquet`;
}

/** The folder of a staged run's predict shards: `runs/<runId>/shards/`. */
export function runShardsPrefix(runId: string): string {
  return `${runPrefix(runId)}shards/`;
}

const shardStem = (runId: string, shard: ShardRef): string =>
  `${runShardsPrefix(runId)}shard-${String(shard.index).padStart(5, "0")}-of-${String(shard.count).padStart(5, "0")}`;

/** A predict shard's record, written after its forecasts (it publishes them): `runs/<runId>/shards/shard-<K, 5 digits>-of-<N, 5 digits>.json`. */
export function runShardKey(runId: string, shard: ShardRef): string {
  return `${shardStem(runId, shard)}.json`;
}

/** A predict shard's forecasts: `runs/<runId>/shards/shard-<K, 5 digits>-of-<N, 5 digits>.parquet`. */
export function runShardPredictionsKey(runId: string, shard: ShardRef): string {
  return `${shardStem(runId, shard)}.parquet`;
}

/** A predict shard's record; groups: run id, K, N (as written, zero-padded). */
export const RUN_SHARD_KEY = /^runs\/([^/]+)\/shards\/shard-(\d+)-of-(\d+)\.json$/;

// ---------------------------------------------------------------------------------------------
// Validation: validation/<runId>.json
// ---------------------------------------------------------------------------------------------

/** Prefix of the stored validation results. */
export const VALIDATION_PREFIX = "validation/";

/** The validation result of ingest run `runId`: `validation/<runId>.json`. */
export function validationKey(runId: string): string {
  return `${VALIDATION_PREFIX}${runId}.json`;
}

/** A validation result (`validation/<runId>.json`); group: run id. */
export const VALIDATION_KEY = /^validation\/([^/]+)\.json$/;

// ---------------------------------------------------------------------------------------------
// Quarantine: quarantine/<runId>/
// ---------------------------------------------------------------------------------------------

/** Prefix of every quarantined extract. */
export const QUARANTINE_PREFIX = "quarantine/";

/** The folder of the extract that ingest run `runId` rejected: `quarantine/<runId>/`. */
export function quarantinePrefix(runId: string): string {
  return `${QUARANTINE_PREFIX}${runId}/`;
}

/** The rejected extract itself: `quarantine/<runId>/extract.parquet`. */
export function quarantineExtractKey(runId: string): string {
  return `${quarantinePrefix(runId)}extract.parquet`;
}

/** What was rejected and why: `quarantine/<runId>/info.json`. */
export function quarantineInfoKey(runId: string): string {
  return `${quarantinePrefix(runId)}info.json`;
}

/** A quarantined extract's info (`quarantine/<runId>/info.json`); group: run id. */
export const QUARANTINE_INFO_KEY = /^quarantine\/([^/]+)\/info\.json$/;

// ---------------------------------------------------------------------------------------------
// Models: models/<name>/
// ---------------------------------------------------------------------------------------------

/** Prefix of the model registry. */
export const MODELS_PREFIX = "models/";

/** Prefix listing every version folder of model `name`: `models/<name>/v`. */
export function modelVersionsPrefix(name: string): string {
  return `${MODELS_PREFIX}${name}/v`;
}

/** The folder of version `version` of model `name`: `models/<name>/v<version>/`. */
export function modelVersionPrefix(name: string, version: number): string {
  return `${modelVersionsPrefix(name)}${version}/`;
}

/** The fitted model of a version: `models/<name>/v<version>/model.json`. */
export function modelArtifactKey(name: string, version: number): string {
  return `${modelVersionPrefix(name, version)}model.json`;
}

/** A version's metadata, written last (a version exists once it does): `models/<name>/v<version>/metadata.json`. */
export function modelMetadataKey(name: string, version: number): string {
  return `${modelVersionPrefix(name, version)}metadata.json`;
}

/** Prefix of the aliases of model `name`: `models/<name>/aliases/`. */
export function modelAliasesPrefix(name: string): string {
  return `${MODELS_PREFIX}${name}/aliases/`;
}

/** Alias `alias` (e.g. `production`) of model `name`: `models/<name>/aliases/<alias>.json`. */
export function modelAliasKey(name: string, alias: string): string {
  return `${modelAliasesPrefix(name)}${alias}.json`;
}

/** A model version's metadata (`models/<name>/v<N>/metadata.json`); groups: name, version. */
export const MODEL_METADATA_KEY = /^models\/([^/]+)\/v(\d+)\/metadata\.json$/;

// ---------------------------------------------------------------------------------------------
// Experiments: experiments/<runId>/
// ---------------------------------------------------------------------------------------------

/** Prefix of the training runs' trial records. */
export const EXPERIMENTS_PREFIX = "experiments/";

/** The trials of training run `runId`: `experiments/<runId>/`. */
export function experimentPrefix(runId: string): string {
  return `${EXPERIMENTS_PREFIX}${runId}/`;
}

/** Trial number `trial` (from 1) of training run `runId`: `experiments/<runId>/trial-<3 digits>.json`. */
export function experimentTrialKey(runId: string, trial: number): string {
  return `${experimentPrefix(runId)}trial-${String(trial).padStart(3, "0")}.json`;
}

/** A trial record (`experiments/<runId>/trial-<n>.json`); groups: run id, trial number as written. */
export const EXPERIMENT_TRIAL_KEY = /^experiments\/([^/]+)\/trial-([^/]+)\.json$/;

// ---------------------------------------------------------------------------------------------
// Locks: locks/
// ---------------------------------------------------------------------------------------------

/** Prefix of the lock objects and their takeover claims. */
export const LOCKS_PREFIX = "locks/";

/** The lock object of `name`, e.g. `locks/run.json`. */
export function lockKey(name: string): string {
  return `${LOCKS_PREFIX}${name}.json`;
}

/** Prefix of the takeover claims of lock `name`: `locks/<name>.takeover/`. */
export function claimPrefix(name: string): string {
  return `${LOCKS_PREFIX}${name}.takeover/`;
}

/** Prefix of the claims to take over the lock of `name` whose token is `token`: `locks/<name>.takeover/<token>-`. */
export function claimTokenPrefix(name: string, token: string): string {
  return `${claimPrefix(name)}${token}-`;
}

/** Claim number `attempt` to take over the expired lock of `name` whose token is `token`: `locks/<name>.takeover/<token>-<attempt>.json`. */
export function claimKey(name: string, token: string, attempt: number): string {
  return `${claimTokenPrefix(name, token)}${attempt}.json`;
}

// ---------------------------------------------------------------------------------------------
// Damaged: damaged/
// ---------------------------------------------------------------------------------------------

/** Prefix under which damaged objects are kept. Nothing in the pipeline reads or deletes it. */
export const DAMAGED_PREFIX = "damaged/";

/**
 * The key below `damaged/` for copy number `n` of `key` (0: `damaged/<key>`; then
 * `damaged/<key minus its extension>.<n>.<extension>`, or `damaged/<key>.<n>` without one).
 */
export function damagedKey(key: string, n = 0): string {
  if (n === 0) return `${DAMAGED_PREFIX}${key}`;
  const slash = key.lastIndexOf("/");
  const dot = key.lastIndexOf(".");
  const at = dot > slash ? dot : key.length;
  return `${DAMAGED_PREFIX}${key.slice(0, at)}.${n}${key.slice(at)}`;
}

// ---------------------------------------------------------------------------------------------
// Features: features/<name>/v<version>/
// ---------------------------------------------------------------------------------------------

/** Prefix of every feature group. */
export const FEATURES_PREFIX = "features/";

/** The folder of a feature group's version: `features/<name>/v<version>/`. */
export function featureGroupPrefix(group: { name: string; version: number }): string {
  return `${FEATURES_PREFIX}${group.name}/v${group.version}/`;
}

/** The manifest of the group whose folder is `prefix` ({@link featureGroupPrefix}): `<prefix>manifest.json`. */
export function featureManifestKey(prefix: string): string {
  return `${prefix}manifest.json`;
}

/** Prefix of the partition files of the group whose folder is `prefix`: `<prefix>data/`. */
export function featureDataPrefix(prefix: string): string {
  return `${prefix}data/`;
}

/** Prefix of the partition files of one day (`yyyy-MM-dd`): `<prefix>data/date=<day>/`. */
export function featureDayPrefix(prefix: string, day: string): string {
  return `${featureDataPrefix(prefix)}date=${day}/`;
}

/** The partition file commit `commit` writes for `day`: `<prefix>data/date=<day>/part-<commit, 6 digits>.parquet`. */
export function featurePartKey(prefix: string, day: string, commit: number): string {
  return `${featureDayPrefix(prefix, day)}part-${String(commit).padStart(6, "0")}.parquet`;
}

/** The folder of a feature group at the start of a key; groups: name, version (the match is the folder). */
export const FEATURE_GROUP_PREFIX = /^features\/([^/]+)\/v(\d+)\//;

/** A partition file's key below its group's data prefix ({@link featureDataPrefix}): `date=<day>/part-<commit>.parquet`; groups: day, commit. */
export const FEATURE_PART_NAME = /^date=(\d{4}-\d{2}-\d{2})\/part-(\d+)\.parquet$/;

// ---------------------------------------------------------------------------------------------
// Forecast history partitions: forecasts/origin=<day>/<origin>.parquet
// ---------------------------------------------------------------------------------------------

/** Prefix of the partitioned forecast history. */
export const FORECASTS_PREFIX = "forecasts/";

/** The partitioned history's state (its presence marks a migrated store): `forecasts/state.json`. */
export const FORECASTS_STATE_KEY = "forecasts/state.json";

/** The folder of the forecasts made on origin day `day` (`yyyy-MM-dd`): `forecasts/origin=<day>/`. */
export function forecastDayPrefix(day: string): string {
  return `${FORECASTS_PREFIX}origin=${day}/`;
}

/** The file of the forecasts from origin `origin` (epoch ms): `forecasts/origin=<yyyy-MM-dd>/<yyyyMMddTHHmmssZ>.parquet`. */
export function forecastPartKey(origin: number): string {
  const iso = new Date(origin).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return `${forecastDayPrefix(iso.slice(0, 10))}${stamp}.parquet`;
}

/** A forecast partition file; groups: day, origin stamp (`yyyyMMddTHHmmssZ`). */
export const FORECAST_PART_KEY = /^forecasts\/origin=(\d{4}-\d{2}-\d{2})\/(\d{8}T\d{6}Z)\.parquet$/;

// ---------------------------------------------------------------------------------------------
// Monitoring partitions: monitoring/
// ---------------------------------------------------------------------------------------------

/** Prefix of monitoring's incremental state and per-day sums. */
export const MONITORING_PREFIX = "monitoring/";

/** Monitoring's state: the last scored hour and per-day totals (`monitoring/state.json`). */
export const MONITORING_STATE_KEY = "monitoring/state.json";

/** Prefix of monitoring's per-day sums: `monitoring/days/`. */
export const MONITORING_DAYS_PREFIX = "monitoring/days/";

/** Monitoring's error sums of the target hours of day `day` (`yyyy-MM-dd`, UTC): `monitoring/days/date=<day>.json`. */
export function monitoringDayKey(day: string): string {
  return `${MONITORING_DAYS_PREFIX}date=${day}.json`;
}

/** A monitoring day file; group: day. */
export const MONITORING_DAY_KEY = /^monitoring\/days\/date=(\d{4}-\d{2}-\d{2})\.json$/;
