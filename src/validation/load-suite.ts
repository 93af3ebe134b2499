import { ConfigError } from "../pipeline/core/errors.js";
import { compileReporting, formatAjvErrors } from "./ajv.js";
import { defaultRegistry } from "./expectations/index.js";
import type { ExpectationRegistry } from "./registry.js";
import { SUITE_SCHEMA } from "./suite-schema.js";
import type { ExpectationConfig, ExpectationSuite, Kwargs } from "./types.js";

interface RawSuite {
  expectation_suite_name: string;
  expectations: Array<{ expectation_type: string; kwargs: Kwargs; meta?: Record<string, unknown> }>;
  meta?: Record<string, unknown>;
  data_asset_type?: string | null;
}

/**
 * Parses (when given a string) and checks a suite: first the suite's shape against
 * {@link SUITE_SCHEMA}, then each expectation's type against the registry and its kwargs against
 * that type's schema and cross-field rules. Every problem is reported at once, e.g.
 * `config: suite suites/x.json is invalid: expectations[3] (expect_column_min_to_be_between):
 * kwargs/min_value must be number,null; fix the suite`. Returns a normalised copy (`meta: {}` and
 * `data_asset_type: null` filled in).
 *
 * @param where names the suite in errors (a file path, say).
 */
export function loadSuite(json: unknown, where = "(inline suite)", registry: ExpectationRegistry = defaultRegistry): ExpectationSuite {
  let data = json;
  if (typeof json === "string") {
    try {
      data = JSON.parse(json);
    } catch (cause) {
      throw new ConfigError(`suite ${where} is not valid JSON: ${(cause as Error).message}; fix the file`, { cause });
    }
  }
  const checkShape = compileReporting(SUITE_SCHEMA);
  if (!checkShape(data)) {
    throw new ConfigError(`suite ${where} is not an expectation suite: ${formatAjvErrors(checkShape.errors, "").join("; ")}; fix the suite`);
  }
  const raw = data as RawSuite;
  const problems: string[] = [];
  raw.expectations.forEach((e, i) => {
    const def = registry.get(e.expectation_type);
    if (!def) {
      problems.push(`expectations[${i}] has unknown expectation_type "${e.expectation_type}"; supported: ${registry.types().join(", ")}`);
      return;
    }
    const checkKwargs = compileReporting(def.kwargsSchema);
    if (!checkKwargs(e.kwargs)) {
      for (const p of formatAjvErrors(checkKwargs.errors, "kwargs")) problems.push(`expectations[${i}] (${e.expectation_type}): ${p}`);
      return;
    }
    const semantic = def.checkKwargs?.(e.kwargs);
    if (semantic !== undefined) problems.push(`expectations[${i}] (${e.expectation_type}): ${semantic}`);
  });
  if (problems.length > 0) throw new ConfigError(`suite ${where} is invalid: ${problems.join("; ")}; fix the suite`);
  const expectations: ExpectationConfig[] = raw.expectations.map((e) => ({
    expectation_type: e.expectation_type,
    kwargs: structuredClone(e.kwargs),
    meta: structuredClone(e.meta ?? {}),
  }));
  return {
    expectation_suite_name: raw.expectation_suite_name,
    expectations,
    meta: structuredClone(raw.meta ?? {}),
    data_asset_type: raw.data_asset_type ?? null,
  };
}
