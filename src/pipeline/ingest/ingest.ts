import type { StepContext } from "../core/step.js";
import { PipelineError } from "../core/errors.js";
import type { Config } from "../config/config.js";
import { formatInstant, HOUR_MS, type DstCounts, hoursIn } from "../time/index.js";
import { FeatureStore, type FeatureGroupRef, type UpsertReport } from "../featurestore/store.js";
import { writeParquet } from "../parquet/write.js";
import type { TableSchema } from "../parquet/schema.js";
import { quarantineExtractKey, quarantineInfoKey, quarantinePrefix, validationKey } from "../storage/layout.js";
import type { Storage } from "../storage/storage.js";
import { assertValid, buildIngestSuite, validate, type ValidationResult } from "../../validation/index.js";
import { PartialExtractError, type Source, type TimeRange } from "./source.js";
import { transformRaw, type TransformReport } from "./transform.js";
import { ingestWindow, latestAsOf, presentEnd, splitAtPresent, type IngestWindow } from "./window.js";
import { referenceSpan, refusalAdvice, storedReference } from "./checks.js";
import { datasetInfo, featureSchema, keyColumns, sourceColumns, type DatasetSpec } from "../dataset/spec.js";
import { rowSeriesIds } from "../series/key.js";
import { columnsToTable, concatColumns, emptyColumns, type RawColumns } from "./records.js";

/** Options of one ingest run. */
export interface IngestOptions {
  /** The settings: dataset, extraction window and delay, revision overlap, series filter, value checks. */
  config: Config;
  /** Where the rows come from (a file, the API). */
  source: Source;
  /**
   * Reference time T of the window [T - delay - export, T - delay). Default: now for the API;
   * for file sources, whose data ends in the past, the moment their last hour became visible.
   */
  asOf?: number;
  /**
   * Extract only hours after the store's latest (minus the revision overlap) instead of the whole
   * window (default true): never re-download what the store holds.
   */
  incremental?: boolean;
}

/** What an ingest run did; printed by the CLI and kept in run manifests. */
export interface IngestReport {
  runId: string;
  source: string;
  asOf: string;
  window: { requested: [string, string]; extracted: [string, string]; coverage: number };
  /** Incremental extraction: the store's latest hour before the run and the revision overlap (hours). */
  incremental?: { storeLatest: string; revisionHours: number; skipped: boolean };
  /** HTTP requests the source made (API sources). */
  requests?: number;
  rows: number;
  series: number;
  transform: TransformReport;
  validation: { success: boolean; evaluated: number; failed: string[]; key: string };
  featureStore: UpsertReport & { group: string };
  durationsMs: Record<string, number>;
}

/**
 * Extract -> transform -> validate -> upsert into the feature store. The validation result is
 * stored for every run; a failed suite stores the raw extract under `quarantine/<runId>/`, leaves
 * the feature store untouched and throws {@link ValidationFailedError} naming the failures.
 *
 * The batch is checked against itself (the feature suite) and against the store and the clock
 * ({@link buildIngestSuite}): a batch that would leave a gap after a stored series' last hour is
 * refused (the message names the `ingest --full` that fills it), rows from the future are
 * extracted only to be refused (a source's rows dated after the present never move the window),
 * and values beyond MAX_VALUE_RATIO x the series' scale or float32's range are refused.
 */
export async function ingest(ctx: StepContext, options: IngestOptions): Promise<IngestReport> {
  const { storage, group, clock, logger, runId } = ctx;
  const { config, source } = options;
  const durationsMs: Record<string, number> = {};
  const timed = async <T>(step: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      durationsMs[step] = Math.round(performance.now() - t0);
    }
  };

  const spec = config.dataset;
  const store = new FeatureStore(storage, group, logger, datasetInfo(spec));
  const now = clock.now().getTime();
  const extent = await timed("extent", () => source.extent(spec));
  // Rows dated after the present cannot have been measured: they never set the default as-of or
  // clamp the window; they are extracted below only so that validation refuses them by name.
  // The annotation matters to tslab (the notebooks), which compiles without strictNullChecks: there
  // the `{}` branch can win the union and the destructuring fails to type-check (TS2525).
  const { past, future }: ReturnType<typeof splitAtPresent> = extent ? splitAtPresent(extent, now) : {};
  const asOf = options.asOf ?? (extent ? latestAsOf(extent, config.window.delayDays, now) : now);
  const window =
    extent && !past
      ? futureOnly(ingestWindow(asOf, config.window.delayDays, config.window.exportDays))
      : ingestWindow(asOf, config.window.delayDays, config.window.exportDays, past);
  if (window.coverage < 1 && past) {
    logger.warn(`ingest: window is short: ${hoursIn(window.range)} of ${hoursIn(window.requested)} hours exist in the source`, {
      requested: rangeText(window.requested),
      extracted: rangeText(window.range),
    });
  }
  const storeLatest = await store.latestHour();
  const latest = options.incremental === false ? undefined : storeLatest;
  let range = window.range;
  let incremental: IngestReport["incremental"];
  if (latest !== undefined) {
    // Only the hours after the store's latest, plus an overlap whose corrections are upserted.
    const from = Math.max(range.start, latest + HOUR_MS - config.revisionHours * HOUR_MS);
    const skipped = from >= range.end && !future;
    incremental = { storeLatest: new Date(latest).toISOString(), revisionHours: config.revisionHours, skipped };
    if (skipped) {
      logger.info("ingest: the store already holds the window; nothing to extract", { window: rangeText(range), storeLatest: formatInstant(latest) });
      return emptyReport(runId, source, asOf, window, incremental, store, group, durationsMs);
    }
    range = { start: Math.min(from, range.end), end: range.end };
  }
  logger.info("ingest: extracting", { source: source.description, window: rangeText(range), ...(future ? { future: rangeText(future) } : {}) });
  // A rate-limited extract that had to stop keeps its complete hours: they are validated and
  // stored like any batch, then the command fails with the extract's message.
  let stopped: PartialExtractError | undefined;
  const raw = await timed("extract", async () => {
    const parts: RawColumns[] = [];
    if (range.end > range.start) {
      try {
        parts.push(await source.extract(range, spec, config.filter));
      } catch (error) {
        if (!(error instanceof PartialExtractError)) throw error;
        stopped = error;
        range = { start: range.start, end: error.completeUntil };
        parts.push(error.partial);
      }
    }
    if (future) parts.push(await source.extract(future, spec, config.filter));
    return parts.length === 0 ? emptyColumns(spec) : concatColumns(parts, spec);
  });
  if (raw.times.length === 0) {
    if (latest !== undefined) {
      logger.warn("ingest: the source has no rows after the store's latest hour yet", { window: rangeText(range), storeLatest: formatInstant(latest) });
      return emptyReport(runId, source, asOf, { ...window, range }, incremental, store, group, durationsMs);
    }
    throw new PipelineError(
      "ingest",
      `${source.description} returned 0 rows for ${rangeText(range)}` +
        (config.filter ? ` with filter ${JSON.stringify(config.filter)}` : "") +
        `; check --as-of and --days-delay (the data may not be published yet)${config.filter ? " and --filter" : ""}`,
    );
  }
  const { table, report: transform } = await timed("transform", () => transformRaw(raw, spec));
  if (transform.dst.nonexistent > 0) {
    // A correct local-time export never holds the skipped spring hour: the exporter numbered the
    // day's hours naively, and the next hour may now be there twice (validation names it).
    logger.warn("ingest: wall times that do not exist (spring forward) read as the following hour", { ...transform.dst, zone: spec.time.zone });
  } else if (transform.dst.repeated > 0) {
    logger.info("ingest: local times on daylight-saving changes", { ...transform.dst, zone: spec.time.zone });
  }
  // The first hour this batch could have covered: a window that starts after the store's next
  // hour leaves a gap in every series that was live then.
  const continueFrom = storeLatest === undefined ? range.start : Math.min(range.start, storeLatest + HOUR_MS);
  const visible = Math.min(window.requested.end, presentEnd(now));
  const reference =
    storeLatest === undefined
      ? { series: new Map() }
      : await timed("reference", () => storedReference(store, spec, referenceSpan(storeLatest, continueFrom, config.forecast.lookbackDays), logger));
  const suite = buildIngestSuite(spec, { visibleUntil: visible, continueFrom, maxValueRatio: config.maxValueRatio });
  const futureRows = future ? `${rowsFrom(raw, presentEnd(now))} dated after the present` : "";
  const extracted = !future ? rangeText(range) : range.end > range.start ? `${rangeText(range)} and ${futureRows}` : futureRows;
  const result = await timed("validate", () =>
    validate(table, suite, {
      columnTypes: Object.fromEntries(featureSchema(keyColumns(spec))),
      now: clock.now(),
      runName: runId,
      batch: { source: source.description, window: isoPair(range), ...(future ? { future: isoPair(future) } : {}) },
      reference,
    }),
  );
  await storage.write(validationKey(runId), JSON.stringify(result, null, 1), { contentType: "application/json" });
  if (!result.success) {
    await quarantine(storage, runId, raw, spec, result, range, source.description);
    logger.error("ingest: validation failed, extract quarantined", { key: quarantinePrefix(runId) });
    assertValid(
      result,
      `the extract of ${extracted} from ${source.description} (quarantined under ${quarantinePrefix(runId)}${dstNote(transform.dst, spec.time.zone)})`,
      undefined,
      refusalAdvice(result, config),
    );
  }
  const upsert = await timed("upsert", () => store.upsert(table, runId, clock.now()));
  if (stopped) {
    logger.warn("ingest: stored the complete hours of a rate-limited extract", {
      until: formatInstant(stopped.completeUntil),
      rows: table.numRows(),
      commit: upsert.commit,
    });
    throw stopped;
  }
  return {
    runId,
    source: source.description,
    asOf: new Date(asOf).toISOString(),
    window: { requested: isoPair(window.requested), extracted: isoPair(range), coverage: window.coverage },
    ...(incremental ? { incremental } : {}),
    ...(source.requests !== undefined ? { requests: source.requests } : {}),
    rows: table.numRows(),
    series: countSeries(raw),
    transform,
    validation: { success: result.success, evaluated: result.statistics.evaluated_expectations, failed: [], key: validationKey(runId) },
    featureStore: { ...upsert, group: `${group.name}/v${group.version}` },
    durationsMs,
  };
}

/** The window of a source that holds only future rows: nothing in it can be extracted. */
function futureOnly(window: IngestWindow): IngestWindow {
  return { ...window, range: { start: window.requested.start, end: window.requested.start }, coverage: 0 };
}

/** `1 row` / `3 rows`: the rows of `raw` dated at or after `from`. */
function rowsFrom(raw: RawColumns, from: number): string {
  let n = 0;
  for (const t of raw.times) if (t >= from) n++;
  return `${n} row${n === 1 ? "" : "s"}`;
}

/** The report of a run that found nothing new to ingest. */
async function emptyReport(
  runId: string,
  source: Source,
  asOf: number,
  window: IngestWindow,
  incremental: IngestReport["incremental"],
  store: FeatureStore,
  group: FeatureGroupRef,
  durationsMs: Record<string, number>,
): Promise<IngestReport> {
  const manifest = await store.manifest();
  return {
    runId,
    source: source.description,
    asOf: new Date(asOf).toISOString(),
    window: { requested: isoPair(window.requested), extracted: isoPair(window.range), coverage: window.coverage },
    ...(incremental ? { incremental } : {}),
    ...(source.requests !== undefined ? { requests: source.requests } : {}),
    rows: 0,
    series: 0,
    transform: { rows: 0, unknownCodes: {}, dst: { nonexistent: 0, repeated: 0 } },
    validation: { success: true, evaluated: 0, failed: [], key: "" },
    featureStore: {
      added: 0,
      changed: 0,
      unchanged: 0,
      commit: manifest?.commit ?? 0,
      partitions: [],
      totalRows: manifest?.rows ?? 0,
      group: `${group.name}/v${group.version}`,
    },
    durationsMs,
  };
}

/**
 * What the daylight-saving rules did, for a validation failure's message: a nonexistent wall
 * time read as the following hour is the usual cause of a duplicate at that hour.
 */
function dstNote(dst: DstCounts, zone: string): string {
  if (dst.nonexistent === 0) return "";
  return `; ${dst.nonexistent} wall time(s) that do not exist in ${zone} (the hour skipped when clocks spring forward) were read as the following hour`;
}

async function quarantine(
  storage: Storage,
  runId: string,
  raw: RawColumns,
  spec: DatasetSpec,
  result: ValidationResult,
  range: TimeRange,
  source: string,
): Promise<void> {
  const schema: TableSchema = sourceColumns(spec).map((name) => {
    const key = spec.keys.find((k) => k.source === name);
    return [name, name === spec.value.source ? "float64" : key && key.type !== "utf8" && !key.codes ? "int32" : "utf8"] as const;
  });
  await storage.write(quarantineExtractKey(runId), writeParquet(columnsToTable(raw, spec), schema), { contentType: "application/vnd.apache.parquet" });
  const failed = result.results.filter((r) => !r.success).map((r) => r.expectation_config.expectation_type);
  const info = { runId, source, window: isoPair(range), rows: raw.times.length, dst: raw.dst, failedExpectations: failed, validation: validationKey(runId) };
  await storage.write(quarantineInfoKey(runId), JSON.stringify(info, null, 1), { contentType: "application/json" });
}

function countSeries(raw: RawColumns): number {
  return new Set(rowSeriesIds(raw.keys, raw.times.length)).size;
}

function rangeText(r: TimeRange): string {
  return `${formatInstant(r.start)}..${formatInstant(r.end)}`;
}

function isoPair(r: TimeRange): [string, string] {
  return [new Date(r.start).toISOString(), new Date(r.end).toISOString()];
}
