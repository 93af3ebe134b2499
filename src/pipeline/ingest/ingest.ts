import type { ColumnTable } from "arquero";
import type { Clock, Logger } from "../core/effects.js";
import { PipelineError } from "../core/errors.js";
import type { Config } from "../config/config.js";
import { formatInstant } from "../config/time.js";
import { FeatureStore, type UpsertReport } from "../featurestore/store.js";
import { writeParquet } from "../parquet/write.js";
import type { TableSchema } from "../parquet/schema.js";
import { FEATURE_SCHEMA } from "../parquet/schema.js";
import type { Storage } from "../storage/storage.js";
import { assertValid, buildFeatureSuite, validate, type ValidationResult } from "../../validation/index.js";
import type { Source, TimeRange } from "./source.js";
import { transformRaw, type TransformReport } from "./transform.js";
import { hoursIn, ingestWindow, latestAsOf, type IngestWindow } from "./window.js";
import type { DatasetSpec } from "../dataset/spec.js";

/** The narrow interfaces ingest works through. */
export interface IngestEffects {
  storage: Storage;
  source: Source;
  clock: Clock;
  logger: Logger;
  /** Identifies this run in stored results (validation, quarantine, feature-store history). */
  runId: string;
}

/** Options of one ingest run. */
export interface IngestOptions {
  /**
   * Reference time T of the window [T - delay - export, T - delay). Default: now for the API;
   * for file sources, whose data ends in the past, the moment their last hour became visible.
   */
  asOf?: number;
}

/** What an ingest run did; printed by the CLI and kept in run manifests. */
export interface IngestReport {
  runId: string;
  source: string;
  asOf: string;
  window: { requested: [string, string]; extracted: [string, string]; coverage: number };
  rows: number;
  series: number;
  transform: TransformReport;
  validation: { success: boolean; evaluated: number; failed: string[]; key: string };
  featureStore: UpsertReport & { group: string };
  durationsMs: Record<string, number>;
}

/** Storage key of the validation result of a run. */
export const validationKey = (runId: string): string => `validation/${runId}.json`;
/** Storage prefix of a rejected extract. */
export const quarantinePrefix = (runId: string): string => `quarantine/${runId}/`;

/**
 * Extract -> transform -> validate -> upsert into the feature store. The validation result is
 * stored for every run; a failed suite stores the raw extract under `quarantine/<runId>/`, leaves
 * the feature store untouched and throws {@link ValidationFailedError} naming the failures.
 */
export async function ingest(config: Config, effects: IngestEffects, options: IngestOptions = {}): Promise<IngestReport> {
  const { storage, source, clock, logger, runId } = effects;
  const durationsMs: Record<string, number> = {};
  const timed = async <T>(step: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      durationsMs[step] = Math.round(performance.now() - t0);
    }
  };

  const extent = await timed("extent", () => source.extent(config.dataset));
  const asOf = options.asOf ?? (extent ? latestAsOf(extent, config.window.delayDays) : clock.now().getTime());
  const window = ingestWindow(asOf, config.window.delayDays, config.window.exportDays, extent);
  if (window.coverage < 1) {
    logger.warn(`ingest: window is short: ${hoursIn(window.range)} of ${hoursIn(window.requested)} hours exist in the source`, {
      requested: rangeText(window.requested),
      extracted: rangeText(window.range),
    });
  }
  logger.info("ingest: extracting", { source: source.description, window: rangeText(window.range) });
  const raw = await timed("extract", () => source.extract(window.range, config.dataset));
  if (raw.numRows() === 0) {
    throw new PipelineError(
      "ingest",
      `${source.description} returned 0 rows for ${rangeText(window.range)}; check --as-of and --days-delay (the data may not be published yet)`,
    );
  }
  const { table, report: transform } = await timed("transform", () => transformRaw(raw, config.dataset));
  const suite = buildFeatureSuite(config.dataset);
  const result = await timed("validate", () =>
    validate(table, suite, { columnTypes: Object.fromEntries(FEATURE_SCHEMA), now: clock.now(), runName: runId, batch: { source: source.description, window: isoPair(window.range) } }),
  );
  await storage.write(validationKey(runId), JSON.stringify(result, null, 1), { contentType: "application/json" });
  if (!result.success) {
    await quarantine(storage, runId, raw, config.dataset, result, window, source.description);
    logger.error("ingest: validation failed, extract quarantined", { key: quarantinePrefix(runId) });
    assertValid(result, `the extract of ${rangeText(window.range)} from ${source.description} (quarantined under ${quarantinePrefix(runId)})`);
  }
  const store = new FeatureStore(storage, config.featureGroup, logger);
  const upsert = await timed("upsert", () => store.upsert(table, runId, clock.now()));
  return {
    runId,
    source: source.description,
    asOf: new Date(asOf).toISOString(),
    window: { requested: isoPair(window.requested), extracted: isoPair(window.range), coverage: window.coverage },
    rows: table.numRows(),
    series: countSeries(table),
    transform,
    validation: { success: result.success, evaluated: result.statistics.evaluated_expectations, failed: [], key: validationKey(runId) },
    featureStore: { ...upsert, group: `${config.featureGroup.name}/v${config.featureGroup.version}` },
    durationsMs,
  };
}

async function quarantine(
  storage: Storage,
  runId: string,
  raw: ColumnTable,
  spec: DatasetSpec,
  result: ValidationResult,
  window: IngestWindow,
  source: string,
): Promise<void> {
  const c = spec.columns;
  const schema: TableSchema = [
    [c.timeUtc, "utf8"],
    [c.timeLocal, "utf8"],
    [c.area, "utf8"],
    [c.consumerType, "int32"],
    [c.value, "float64"],
  ];
  const prefix = quarantinePrefix(runId);
  await storage.write(`${prefix}extract.parquet`, writeParquet(raw, schema), { contentType: "application/vnd.apache.parquet" });
  const failed = result.results.filter((r) => !r.success).map((r) => r.expectation_config.expectation_type);
  const info = { runId, source, window: isoPair(window.range), rows: raw.numRows(), failedExpectations: failed, validation: validationKey(runId) };
  await storage.write(`${prefix}info.json`, JSON.stringify(info, null, 1), { contentType: "application/json" });
}

function countSeries(table: ColumnTable): number {
  const area = table.column("area")!;
  const consumer = table.column("consumer_type")!;
  const keys = new Set<string>();
  for (let i = 0, n = table.numRows(); i < n; i++) keys.add(`${area.at(i)}|${consumer.at(i)}`);
  return keys.size;
}

function rangeText(r: TimeRange): string {
  return `${formatInstant(r.start)}..${formatInstant(r.end)}`;
}

function isoPair(r: TimeRange): [string, string] {
  return [new Date(r.start).toISOString(), new Date(r.end).toISOString()];
}
