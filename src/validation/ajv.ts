import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

/**
 * Two ajv instances: one reports every error (suite files, read by people), one stops at the
 * first (per-value checks run millions of times and only need a yes/no).
 */
const reporting = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const fast = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });

/** A JSON Schema, as a plain object. */
export type JsonSchema = Record<string, unknown>;

const reportingCache = new Map<string, ValidateFunction>();
const valueCache = new Map<string, ValidateFunction>();

function compileCached(ajv: Ajv, cache: Map<string, ValidateFunction>, schema: JsonSchema): ValidateFunction {
  // Suites build fresh schema objects on every run; keying on the text compiles each shape once.
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(key, fn);
  }
  return fn;
}

/** Compiles a schema whose errors are shown to people (all errors collected). */
export function compileReporting(schema: JsonSchema): ValidateFunction {
  return compileCached(reporting, reportingCache, schema);
}

/** Compiles a schema applied to single values in hot loops (first error only). */
export function compileValueCheck(schema: JsonSchema): (value: unknown) => boolean {
  const fn = compileCached(fast, valueCache, schema);
  return (value) => fn(value) as boolean;
}

/**
 * Renders ajv errors as `path message (detail)` phrases, e.g.
 * `kwargs/min_value must be number` or `kwargs must NOT have additional properties ("colum")`.
 */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined, root: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errors ?? []) {
    // `if`/`anyOf` wrapper errors repeat what their sub-errors already said.
    if (e.keyword === "if") continue;
    const path = `${root}${e.instancePath}` || "(root)";
    let detail = "";
    if (e.keyword === "additionalProperties") detail = ` ("${String((e.params as { additionalProperty: string }).additionalProperty)}")`;
    else if (e.keyword === "enum") detail = ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")})`;
    else if (e.keyword === "const") detail = ` (${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)})`;
    const text = `${path} ${e.message ?? e.keyword}${detail}`;
    if (!seen.has(text)) {
      seen.add(text);
      out.push(text);
    }
  }
  return out;
}
