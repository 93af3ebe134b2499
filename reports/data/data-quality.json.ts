/**
 * Data quality page data: the latest validation result per expectation (observed value,
 * unexpected count, a sample of bad values), the pass/fail history of ingest runs, quarantined
 * extracts, and the feature store's completeness per day.
 */
import { HOUR_MS, type ExpectationValidationResult } from "../../src/pipeline/index.js";
import { emit, emptyNotice, runLoader } from "./lib/context.js";
import { datasetOut } from "./lib/series.js";
import { featureGroup } from "./lib/store.js";
import { readQuarantine, readValidations, shortText, summariseRun, VALIDATION_HISTORY_LIMIT } from "./lib/validation.js";

/** Sample of unexpected values shown per expectation. */
const SAMPLE = 3;
/** Days of feature-store partitions shown. */
const MAX_DAYS = 120;

runLoader("data-quality", async (ctx) => {
  const { storage } = ctx;
  const validations = await readValidations(storage);
  const quarantine = await readQuarantine(storage);
  const { manifest, info } = await featureGroup(ctx);
  if (validations.total === 0 && !manifest) {
    emit(ctx, { empty: emptyNotice("No ingest run yet", "No validation result and no feature data are in the store") });
    return;
  }
  const latestEntry = validations.results[validations.results.length - 1];
  const latest = latestEntry
    ? {
        ...summariseRun(latestEntry.key, latestEntry.result),
        suite: latestEntry.result.meta.expectation_suite_name,
        successPercent: latestEntry.result.statistics.success_percent,
        expectations: latestEntry.result.results.map((r) => {
          const k = r.expectation_config.kwargs;
          const { column, column_list: columnList, ...rest } = k as Record<string, unknown>;
          return {
            type: r.expectation_config.expectation_type,
            column: typeof column === "string" ? column : Array.isArray(columnList) ? columnList.join(", ") : "(table)",
            kwargs: shortText(Object.keys(rest).length ? rest : null, 120),
            success: r.success,
            observed: shortText(r.result.observed_value),
            unexpectedCount: r.result.unexpected_count ?? null,
            unexpectedPercent: r.result.unexpected_percent ?? null,
            sample: badValues(r).slice(0, SAMPLE).map((v) => shortText(v, 80)),
            exception: r.exception_info?.raised_exception ? shortText(r.exception_info.exception_message, 200) : null,
          };
        }),
      }
    : null;

  const partitions = Object.entries(manifest?.partitions ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-MAX_DAYS)
    .map(([day, p]) => ({ day, rows: p.rows, hours: Math.round((p.maxTime - p.minTime) / HOUR_MS) + 1 }));

  emit(ctx, {
    data: {
      latest,
      history: validations.results.map((v) => summariseRun(v.key, v.result)),
      historyTotal: validations.total,
      historyLimit: VALIDATION_HISTORY_LIMIT,
      quarantine,
      featureStore: manifest
        ? {
            group: `${manifest.name}/v${manifest.version}`,
            commit: manifest.commit,
            rows: manifest.rows,
            updatedAt: manifest.updatedAt,
            partitions,
            commits: manifest.history.slice(-30).map((c) => ({ commit: c.commit, at: c.at, runId: c.runId, added: c.added, changed: c.changed, days: c.partitions.length })),
          }
        : null,
      dataset: datasetOut(info),
    },
  });
});

/** The offending values of a result: GE's partial list, or the distinct values outside a set. */
function badValues(r: ExpectationValidationResult): unknown[] {
  const partial = r.result.partial_unexpected_list ?? [];
  if (partial.length > 0) return partial;
  const outside = (r.result.details as { unexpected_values?: unknown } | undefined)?.unexpected_values;
  return Array.isArray(outside) ? outside : [];
}
