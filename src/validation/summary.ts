import { expectationLabel } from "./assert-valid.js";
import { defaultRegistry } from "./expectations/index.js";
import { fmtPct, fmtValue, truncate } from "./format.js";
import type { ExpectationRegistry } from "./registry.js";
import type { ExpectationValidationResult, ValidationResult } from "./types.js";

const OBSERVED_WIDTH = 48;

function observed(r: ExpectationValidationResult): string {
  if (r.exception_info.raised_exception) return `exception: ${r.exception_info.exception_message}`;
  if (r.result.observed_value !== undefined) return fmtValue(r.result.observed_value, 6);
  const first = (r.result.partial_unexpected_list ?? [])[0];
  return first === undefined ? "-" : `e.g. ${fmtValue(first)}`;
}

function unexpected(r: ExpectationValidationResult): string {
  const n = r.result.unexpected_count;
  return n === undefined ? "-" : `${n} (${fmtPct(r.result.unexpected_percent)})`;
}

/**
 * A compact table of a validation result for the CLI: a header line, then one line per
 * expectation with ✓/✗, type and columns, what was observed and the unexpected count.
 */
export function renderValidationSummary(result: ValidationResult, registry: ExpectationRegistry = defaultRegistry): string {
  const s = result.statistics;
  const header =
    `suite ${result.meta.expectation_suite_name}: ${s.successful_expectations} of ${s.evaluated_expectations} expectations passed` +
    ` (${fmtPct(s.success_percent)}) at ${result.meta.validation_time}` +
    (result.success ? "" : ` — ${s.unsuccessful_expectations} FAILED`);
  const rows = result.results.map((r) => [r.success ? "✓" : "✗", expectationLabel(r, registry), truncate(observed(r), OBSERVED_WIDTH), unexpected(r)]);
  const titles = ["", "expectation", "observed", "unexpected"];
  const widths = titles.map((t, c) => Math.max(t.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  return [header, line(titles), ...rows.map(line)].join("\n");
}
