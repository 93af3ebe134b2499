/**
 * The stored validation results (`validation/<runId>.json`, GE-shaped) and quarantined extracts
 * (`quarantine/<runId>/info.json`), summarised for the report.
 */
import { QUARANTINE_INFO_KEY, QUARANTINE_PREFIX, VALIDATION_KEY, VALIDATION_PREFIX, quarantineExtractKey, type ExpectationValidationResult, type Storage, type ValidationResult } from "../../../src/pipeline/index.js";
import { redactPaths } from "./context.js";
import { readJsonIfExists } from "./store.js";

/** At most this many validation results are read (the newest); older ones are only counted. */
export const VALIDATION_HISTORY_LIMIT = 200;

/** One validation run in the history. */
export interface ValidationRun {
  runId: string;
  time: string;
  success: boolean;
  evaluated: number;
  failed: number;
  failedTypes: string[];
  window: [string, string] | null;
  source: string | null;
}

/** The run id's time part (`run-20230114T220000Z-abcdef` -> sortable text), else the id itself. */
function sortKey(key: string): string {
  return /-(\d{8}T\d{6}Z)-/.exec(key)?.[1] ?? key;
}

/** Keys of stored validation results, oldest first, and how many there are in all. */
export async function validationKeys(storage: Storage): Promise<string[]> {
  const keys = (await storage.list(VALIDATION_PREFIX)).filter((k) => VALIDATION_KEY.test(k));
  return keys.sort((a, b) => sortKey(a).localeCompare(sortKey(b)) || a.localeCompare(b));
}

/** Reads the newest {@link VALIDATION_HISTORY_LIMIT} results (oldest first) and the total count. */
export async function readValidations(storage: Storage): Promise<{ total: number; results: Array<{ key: string; result: ValidationResult }> }> {
  const keys = await validationKeys(storage);
  const newest = keys.slice(-VALIDATION_HISTORY_LIMIT);
  const results: Array<{ key: string; result: ValidationResult }> = [];
  for (const key of newest) {
    const result = await readJsonIfExists<ValidationResult>(storage, key);
    if (result) results.push({ key, result });
  }
  return { total: keys.length, results };
}

/** The history row of one result. */
export function summariseRun(key: string, r: ValidationResult): ValidationRun {
  const batch = (r.meta.batch_spec ?? {}) as { source?: unknown; window?: unknown };
  const window = Array.isArray(batch.window) && batch.window.length === 2 ? [String(batch.window[0]), String(batch.window[1])] as [string, string] : null;
  const failedTypes = r.results.filter((x) => !x.success).map((x) => describeExpectation(x));
  return {
    runId: r.meta.run_id?.run_name ?? VALIDATION_KEY.exec(key)?.[1] ?? key,
    time: r.meta.validation_time,
    success: r.success,
    evaluated: r.statistics.evaluated_expectations,
    failed: r.statistics.unsuccessful_expectations,
    failedTypes,
    window,
    source: typeof batch.source === "string" ? redactPaths(batch.source) : null,
  };
}

/** `expect_column_values_to_not_be_null(energy_consumption)`. */
export function describeExpectation(x: ExpectationValidationResult): string {
  const k = x.expectation_config.kwargs;
  const column = typeof k.column === "string" ? k.column : Array.isArray(k.column_list) ? k.column_list.join(", ") : "";
  return `${x.expectation_config.expectation_type}${column ? `(${column})` : ""}`;
}

/** Text of a value for the table, shortened: observed values can be long lists. */
export function shortText(v: unknown, max = 160): string | null {
  if (v === undefined || v === null) return null;
  // Spaces after commas let long lists wrap in the page's table cells.
  const text = redactPaths(typeof v === "string" ? v : JSON.stringify(v).replace(/,(?=\S)/g, ", "));
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** One quarantined extract. */
export interface QuarantineEntry {
  runId: string;
  rows: number | null;
  window: [string, string] | null;
  failedExpectations: string[];
  source: string | null;
  key: string;
}

/** Every quarantined extract's info, newest first. */
export async function readQuarantine(storage: Storage): Promise<QuarantineEntry[]> {
  const keys = (await storage.list(QUARANTINE_PREFIX)).filter((k) => QUARANTINE_INFO_KEY.test(k));
  const out: QuarantineEntry[] = [];
  for (const key of keys.slice(-VALIDATION_HISTORY_LIMIT)) {
    const info = await readJsonIfExists<{ runId?: string; rows?: number; window?: [string, string]; failedExpectations?: string[]; source?: string }>(storage, key);
    if (!info) continue;
    const folder = QUARANTINE_INFO_KEY.exec(key)?.[1] ?? "";
    out.push({
      runId: info.runId ?? folder,
      rows: typeof info.rows === "number" ? info.rows : null,
      window: Array.isArray(info.window) ? info.window : null,
      failedExpectations: info.failedExpectations ?? [],
      source: info.source ? redactPaths(info.source) : null,
      key: quarantineExtractKey(folder),
    });
  }
  return out.sort((a, b) => sortKey(b.runId).localeCompare(sortKey(a.runId)));
}
