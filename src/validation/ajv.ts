import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";

// Not named `require`: the notebook kernel turns import.meta.url into a require() call of its own.
const requirePackage = createRequire(import.meta.url);
let instances: { reporting: Ajv; fast: Ajv } | undefined;

/**
 * Two ajv instances: one reports every error (suite files, read by people), one stops at the
 * first (per-value checks run millions of times and only need a yes/no). Loaded on the first
 * compile: loading ajv takes about 50 ms, which the commands that validate nothing (predict,
 * train, monitor, backtest) need not pay at every start.
 */
function ajvs(): { reporting: Ajv; fast: Ajv } {
  if (instances === undefined) {
    const { Ajv: AjvClass } = requirePackage("ajv") as typeof import("ajv");
    instances = {
      reporting: new AjvClass({ allErrors: true, strict: true, allowUnionTypes: true }),
      fast: new AjvClass({ allErrors: false, strict: true, allowUnionTypes: true }),
    };
  }
  return instances;
}

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
  return compileCached(ajvs().reporting, reportingCache, schema);
}

/** Compiles a schema that stops at its first error (kept on the function's `errors`), for checks of many rows. */
export function compileFirstError(schema: JsonSchema): ValidateFunction {
  return compileCached(ajvs().fast, valueCache, schema);
}

/** Compiles a schema applied to single values in hot loops (first error only). */
export function compileValueCheck(schema: JsonSchema): (value: unknown) => boolean {
  const fn = compileFirstError(schema);
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
