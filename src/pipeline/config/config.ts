import { ConfigError } from "../core/errors.js";
import type { DatasetSpec } from "../dataset/spec.js";
import { applyDatasetFlags, DEFAULT_PRESET, loadPreset, type DatasetFlags } from "../dataset/preset.js";
import type { KeyValue } from "../series/key.js";
import { DEFAULT_MODEL } from "../models/names.js";
import { DEFAULT_TRAIN_MAX_SERIES, parseMaxSeries } from "../series/sample.js";
import { envNumber, envString, type Env } from "./env.js";
import { lockSettings, type LockSettings } from "../lock/settings.js";
import { DEFAULT_STORE_DIR, EMBEDDED_DATA_PATH } from "./paths.js";
import { pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";

/** Where the raw data comes from. */
export type SourceSetting = { kind: "api"; baseUrl: string } | { kind: "file"; location: string; embedded: boolean };

/** Every setting of the pipeline, read once at the entry point and passed down. */
export interface Config {
  /** Normalised store URI: `file:///abs/dir` or `gs://bucket[/prefix]`. */
  storeUri: string;
  gcp: { projectId?: string; keyFilename?: string };
  /** Longest one storage call may take, retries included (STORAGE_TIMEOUT_SECONDS, default 120; 0: no bound), in ms. */
  storageTimeoutMs: number;
  source: SourceSetting;
  /**
   * The API client: page size, retries, per-request timeout, and the longest it may wait for the
   * service's rate limit within one command before giving up (the next tick continues).
   */
  api: { pageSize: number; maxRetries: number; timeoutMs: number; maxWaitMs: number };
  /** The dataset: preset or `--keys/--time/--value`. */
  dataset: DatasetSpec;
  /** Only these series: key source column -> allowed values (the API's `filter`; applied to files too). */
  filter?: Record<string, KeyValue[]>;
  /** Hours before the store's latest hour per series that each ingest extracts again to pick up revisions. */
  revisionHours: number;
  /**
   * Ingest refuses a value above this many times the series' largest stored value (its batch
   * median for a series the store does not hold yet): MAX_VALUE_RATIO, default 50; 0 turns the
   * relative check off (values beyond float32's range are refused always).
   */
  maxValueRatio: number;
  /** The reference's extraction window: [asOf - delay - export, asOf - delay). */
  window: { delayDays: number; exportDays: number };
  /** The feature group; `cleanupGraceMs`: how long unreferenced partition files stay for readers (FEATURE_CLEANUP_GRACE_HOURS, default 1). */
  featureGroup: { name: string; version: number; cleanupGraceMs: number };
  /**
   * Forecasting: the registered model, horizon, history handed to it, training folds, and the most
   * series the global model trains on (TRAIN_MAX_SERIES, default 2,000; a wider panel trains on a
   * stratified sample of its series; 0: every series).
   */
  forecast: { model: string; horizon: number; maxHorizon: number; lookbackDays: number; folds: number; trainPolicy: string; trainMaxSeries: number };
  /** Monitoring alert thresholds (fractions). */
  alerts: { maxMape7d: number; minCoverage80: number };
  /**
   * Days of forecast history (by origin) and of monitoring (by target hour) that the compacted
   * root files (`predictions_monitoring.parquet`, `metrics_monitoring*.parquet`,
   * `y_monitoring.parquet`) hold, rewritten each tick (HISTORY_WINDOW_DAYS, default 30); the full
   * history lives in the partitions under `forecasts/` and `monitoring/`.
   */
  historyWindowDays: number;
  /** The store-wide lock every writing command takes: wait, poll, lease and renewal (ms). */
  lock: LockSettings;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
}

/** Command-line values that override the environment (undefined = not given). */
export interface ConfigOverrides {
  store?: string;
  source?: string;
  delayDays?: string;
  exportDays?: string;
  logLevel?: string;
  /** `--dataset`: a preset name or a preset JSON file. */
  dataset?: string;
  /** `--keys`, `--time`, `--time-zone`, `--value`, `--unit`, `--unit-column`. */
  datasetFlags?: DatasetFlags;
  /** `--filter`: JSON object of key column -> value or list of values. */
  filter?: string;
}

export const DEFAULT_API_URL = "https://api.energidataservice.dk";

/**
 * Builds the typed configuration from the environment (and `.env`, loaded by the caller) plus
 * command-line overrides. Throws {@link ConfigError} naming the bad setting and the accepted forms.
 */
export function loadConfig(env: Env, overrides: ConfigOverrides = {}, cwd = process.cwd()): Config {
  const logLevel = (overrides.logLevel ?? envString(env, "LOG_LEVEL") ?? "info") as Config["logLevel"];
  if (!["debug", "info", "warn", "error", "silent"].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of debug, info, warn, error, silent, got "${logLevel}"`);
  }
  const apiUrl = (envString(env, "EDS_API_URL") ?? DEFAULT_API_URL).replace(/\/+$/, "");
  const dataset = datasetSpec(env, overrides, cwd);
  const filterText = overrides.filter ?? envString(env, "FILTER");
  return {
    storeUri: storeUri(env, overrides.store, cwd),
    gcp: {
      projectId: envString(env, "GOOGLE_CLOUD_PROJECT"),
      keyFilename: envString(env, "GOOGLE_APPLICATION_CREDENTIALS") ?? envString(env, "GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON_PATH"),
    },
    storageTimeoutMs: envNumber(env, "STORAGE_TIMEOUT_SECONDS", 120, { min: 0 }) * 1000,
    source: sourceSetting(overrides.source ?? envString(env, "SOURCE") ?? "embedded", apiUrl, cwd),
    api: {
      pageSize: envNumber(env, "EDS_PAGE_SIZE", 100_000, { integer: true, min: 1 }),
      maxRetries: envNumber(env, "EDS_MAX_RETRIES", 5, { integer: true, min: 0 }),
      timeoutMs: envNumber(env, "EDS_TIMEOUT_MS", 30_000, { integer: true, min: 1 }),
      maxWaitMs: envNumber(env, "EDS_MAX_WAIT_SECONDS", 300, { min: 0 }) * 1000,
    },
    dataset,
    ...(filterText === undefined ? {} : { filter: parseFilter(filterText, dataset) }),
    revisionHours: envNumber(env, "REVISION_HOURS", (dataset.api?.revisionDays ?? 2) * 24, { integer: true, min: 0 }),
    maxValueRatio: maxValueRatio(env),
    window: {
      delayDays:
        overrides.delayDays !== undefined ? flagNumber(overrides.delayDays, "--days-delay") : envNumber(env, "DATA_DELAY_DAYS", dataset.api?.delayDays ?? 15),
      exportDays: overrides.exportDays !== undefined ? flagNumber(overrides.exportDays, "--days-export") : envNumber(env, "EXPORT_DAYS", 30, { min: 1 / 24 }),
    },
    featureGroup: {
      name: featureGroupName(envString(env, "FEATURE_GROUP_NAME") ?? "energy_consumption"),
      version: envNumber(env, "FEATURE_GROUP_VERSION", 1, { integer: true, min: 1 }),
      cleanupGraceMs: envNumber(env, "FEATURE_CLEANUP_GRACE_HOURS", 1, { min: 0 }) * 3_600_000,
    },
    forecast: {
      model: envString(env, "MODEL_NAME") ?? DEFAULT_MODEL,
      horizon: checkHorizon(
        envNumber(env, "FORECAST_HORIZON", 24, { integer: true, min: 1 }),
        "FORECAST_HORIZON",
        envNumber(env, "MAX_HORIZON", 168, { integer: true, min: 1 }),
      ),
      maxHorizon: envNumber(env, "MAX_HORIZON", 168, { integer: true, min: 1 }),
      lookbackDays: envNumber(env, "LOOKBACK_DAYS", 28, { min: 8 }),
      folds: envNumber(env, "TRAIN_FOLDS", 3, { integer: true, min: 1 }),
      trainPolicy: envString(env, "TRAIN_POLICY") ?? "max-age:72",
      trainMaxSeries: trainMaxSeries(env),
    },
    alerts: {
      maxMape7d: envNumber(env, "ALERT_MAX_MAPE_7D", 0.1),
      minCoverage80: envNumber(env, "ALERT_MIN_COVERAGE_80", 0.6),
    },
    historyWindowDays: envNumber(env, "HISTORY_WINDOW_DAYS", 30, { integer: true, min: 1 }),
    lock: lockSettings(env),
    logLevel,
  };
}

/**
 * Refuses a horizon above `max` hours: every forecast row stays in the history for good, so a
 * typo such as 10000 would add millions of rows.
 */
export function checkHorizon(hours: number, name: string, max: number): number {
  if (hours > max)
    throw new ConfigError(`${name} is ${hours} hours, above the limit of ${max} (MAX_HORIZON); forecast at most ${max} hours, or raise MAX_HORIZON`);
  return hours;
}

/**
 * Refuses `--to` before `--from` (or, for a window whose end is excluded, `--to` not after
 * `--from`): the same usage error, exit 2, on every command that takes both.
 */
export function checkTimeOrder(from: number, to: number, options: { endExcluded?: boolean } = {}): void {
  const bad = options.endExcluded ? to <= from : to < from;
  if (!bad) return;
  const show = (ms: number) => new Date(ms).toISOString().slice(0, 16) + "Z";
  throw new ConfigError(
    options.endExcluded && to === from
      ? `--to ${show(to)} equals --from ${show(from)}: the window [--from, --to) is empty; give a later --to`
      : `--to ${show(to)} is before --from ${show(from)}; swap them`,
  );
}

/** TRAIN_MAX_SERIES: a whole number of series >= 0 (0: every series), default {@link DEFAULT_TRAIN_MAX_SERIES}. */
function trainMaxSeries(env: Env): number {
  const raw = envString(env, "TRAIN_MAX_SERIES");
  return raw === undefined ? DEFAULT_TRAIN_MAX_SERIES : parseMaxSeries(raw);
}

/** MAX_VALUE_RATIO: 0 (relative check off) or a ratio >= 1. */
function maxValueRatio(env: Env): number {
  const v = envNumber(env, "MAX_VALUE_RATIO", 50, { min: 0 });
  if (v > 0 && v < 1) throw new ConfigError(`MAX_VALUE_RATIO must be 0 (off) or a ratio >= 1 such as 50, got "${envString(env, "MAX_VALUE_RATIO")}"`);
  return v;
}

function flagNumber(raw: string, name: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new ConfigError(`${name} must be a number of days >= 0, got "${raw}"`);
  return v;
}

function featureGroupName(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new ConfigError(`FEATURE_GROUP_NAME must be lower-case letters, digits and _, starting with a letter, got "${name}"`);
  }
  return name;
}

/** STORE_URI / --store, else gs://GOOGLE_CLOUD_BUCKET_NAME when set, else the project's `.data/store`. */
function storeUri(env: Env, flag: string | undefined, cwd: string): string {
  if (flag !== undefined && flag.trim() === "") {
    throw new ConfigError(
      `--store is empty (an unset shell variable?); pass a directory, file:///abs/dir or gs://bucket/prefix, or leave --store out for ${DEFAULT_STORE_DIR}`,
    );
  }
  const explicit = flag ?? envString(env, "STORE_URI");
  if (explicit !== undefined && /^~|\$\{?[A-Za-z_]/.test(explicit)) {
    throw new ConfigError(
      `store "${explicit}" holds an unexpanded ${explicit.startsWith("~") ? "~" : "variable"}; the shell did not expand it: write the absolute path (e.g. $HOME/x unquoted) or a path relative to the working directory`,
    );
  }
  if (explicit === undefined) {
    const bucket = envString(env, "GOOGLE_CLOUD_BUCKET_NAME");
    if (bucket) {
      const prefix = envString(env, "GOOGLE_CLOUD_BUCKET_PREFIX");
      return `gs://${bucket}${prefix ? "/" + prefix.replace(/^\/+|\/+$/g, "") : ""}`;
    }
    return pathToFileURL(DEFAULT_STORE_DIR).href;
  }
  if (/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/.*)?$/.test(explicit)) return explicit.replace(/\/+$/, "");
  if (explicit.startsWith("file://")) return explicit;
  if (explicit.startsWith("file:")) return pathToFileURL(resolve(cwd, explicit.slice(5))).href;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(explicit)) {
    throw new ConfigError(`store "${explicit}" is not supported; use file:///abs/dir, a directory path, or gs://bucket/prefix`);
  }
  return pathToFileURL(isAbsolute(explicit) ? explicit : resolve(cwd, explicit)).href;
}

/** `embedded` (the bundled data), `api`, `file:<path>`, a path, or an http(s) URL to a CSV/parquet file. */
function sourceSetting(raw: string, apiUrl: string, cwd: string): SourceSetting {
  if (raw === "embedded") return { kind: "file", location: EMBEDDED_DATA_PATH, embedded: true };
  if (raw === "api") return { kind: "api", baseUrl: apiUrl };
  if (/^https?:\/\//.test(raw)) return { kind: "file", location: raw, embedded: false };
  if (raw.startsWith("file://")) return { kind: "file", location: raw, embedded: false };
  const path = raw.startsWith("file:") ? raw.slice(5) : raw;
  if (!/\.(csv|parquet)$/i.test(path)) {
    throw new ConfigError(`source "${raw}" is not understood; use embedded, api, file:<path.csv|path.parquet> or an http(s) URL to such a file`);
  }
  return { kind: "file", location: isAbsolute(path) ? path : resolve(cwd, path), embedded: false };
}

/**
 * The dataset: `--dataset` / `DATASET` (a preset name or file; default the embedded data's
 * `de35`), with `--keys/--time/--time-zone/--value/--unit/--unit-column` (or `KEYS`, `TIME_COLUMN`,
 * `TIME_ZONE`, `VALUE_COLUMN`, `UNIT`, `UNIT_COLUMN`; `--calendar-zone`/`CALENDAR_ZONE` and
 * `--holidays`/`HOLIDAYS` for the series' calendar) overriding its parts or, alone, describing any long table.
 * `EDS_DATASET` renames the API dataset of a preset.
 */
function datasetSpec(env: Env, overrides: ConfigOverrides, cwd: string): DatasetSpec {
  const f = overrides.datasetFlags ?? {};
  const flags: DatasetFlags = {
    keys: f.keys ?? envString(env, "KEYS"),
    time: f.time ?? envString(env, "TIME_COLUMN"),
    timeZone: f.timeZone ?? envString(env, "TIME_ZONE"),
    value: f.value ?? envString(env, "VALUE_COLUMN"),
    unit: f.unit ?? envString(env, "UNIT"),
    unitColumn: f.unitColumn ?? envString(env, "UNIT_COLUMN"),
    calendarZone: f.calendarZone ?? envString(env, "CALENDAR_ZONE"),
    holidays: f.holidays ?? envString(env, "HOLIDAYS"),
  };
  const named = overrides.dataset ?? envString(env, "DATASET");
  // Keys given without a preset describe a new table; otherwise the default preset is the base.
  const base = named !== undefined ? loadPreset(named, cwd) : flags.keys !== undefined ? undefined : loadPreset(DEFAULT_PRESET, cwd);
  const spec = applyDatasetFlags(base, flags);
  const apiName = envString(env, "EDS_DATASET");
  if (apiName !== undefined) spec.api = { ...(spec.api ?? { cadence: "daily", delayDays: 15, revisionDays: 2 }), dataset: apiName };
  return spec;
}

/**
 * `{"PriceArea": "DK1"}` or `{"PriceArea": ["DK1", "DK2"]}`: source key column -> allowed values,
 * the API's `filter` form. Only key columns may be filtered (a subset of series).
 */
function parseFilter(raw: string, spec: DatasetSpec): Record<string, KeyValue[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`--filter (FILTER) must be a JSON object like {"PriceArea":["DK1"]}, got ${JSON.stringify(raw)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`--filter (FILTER) must be a JSON object like {"PriceArea":["DK1"]}, got ${JSON.stringify(raw)}`);
  }
  const out: Record<string, KeyValue[]> = {};
  const sources = spec.keys.map((k) => k.source);
  for (const [column, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (!sources.includes(column)) {
      throw new ConfigError(`--filter names column "${column}", which is not a key column of dataset ${spec.name}; filter on ${sources.join(", ")}`);
    }
    const values = Array.isArray(v) ? v : [v];
    if (values.length === 0 || values.some((x) => typeof x !== "string" && typeof x !== "number")) {
      throw new ConfigError(`--filter value for "${column}" must be a string, a number or a non-empty list of them, got ${JSON.stringify(v)}`);
    }
    out[column] = values as KeyValue[];
  }
  return out;
}
