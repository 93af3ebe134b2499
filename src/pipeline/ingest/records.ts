import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { Ajv, type ValidateFunction } from "ajv";
import { ConfigError, PipelineError } from "../core/errors.js";
import type { DatasetSpec } from "../dataset/spec.js";
import { HOUR_MS } from "../config/time.js";
import type { TimeRange } from "./source.js";

/** The five roles of a raw source column, in the order raw tables hold them. */
export const RAW_ROLES = ["timeUtc", "timeLocal", "area", "consumerType", "value"] as const;
/** One of {@link RAW_ROLES}. */
export type RawRole = (typeof RAW_ROLES)[number];

/**
 * Checked raw rows held column-wise, plus the UTC hour of each row parsed once (sources slice,
 * sort and check ranges on it without re-parsing strings).
 */
export interface RawColumns {
  timeUtc: string[];
  timeLocal: string[];
  area: string[];
  consumerType: number[];
  value: Array<number | null>;
  /** `timeUtc` as epoch ms. */
  times: number[];
}

/** Names a row in error messages, e.g. `record 12` or `line 14`. */
export type RowLabel = (index: number) => string;

/** Environment variable that configures each role's column name (see src/pipeline/config). */
const ROLE_SETTING: Record<RawRole, string> = {
  timeUtc: "EDS_COLUMN_TIME_UTC",
  timeLocal: "EDS_COLUMN_TIME_LOCAL",
  area: "EDS_COLUMN_AREA",
  consumerType: "EDS_COLUMN_CONSUMER_TYPE",
  value: "EDS_COLUMN_VALUE",
};

const EXPECTED: Record<RawRole, string> = {
  timeUtc: 'a time like "2022-12-21T16:00:00" (yyyy-MM-ddTHH:mm[:ss])',
  timeLocal: 'a time like "2022-12-21T17:00:00" (yyyy-MM-ddTHH:mm[:ss])',
  area: 'a price area string like "DK1"',
  consumerType: "an integer code like 111",
  value: "a finite number or null",
};

const TIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$";
const TIME_RE = new RegExp(TIME_PATTERN);
const INTEGER_STRING_PATTERN = "^\\s*[+-]?\\d+\\s*$";
const INTEGER_STRING_RE = new RegExp(INTEGER_STRING_PATTERN);

/**
 * Checks source records (JSON objects from the API, or rows of a file) against the dataset spec
 * and returns them as a raw table with exactly the spec's five columns; extra columns are dropped.
 * Numeric strings in the consumer-type column (CSV) become integers.
 *
 * Throws `PipelineError("ingest")` on the first bad record, naming the record, the column, the
 * expected and actual value and the likely fix. `where` says which source and request the
 * records came from.
 */
export function recordsToTable(records: unknown[], spec: DatasetSpec, where: string): ColumnTable {
  return columnsToTable(recordsToColumns(records, spec, where), spec);
}

/**
 * The checking core of {@link recordsToTable}, returning the columns instead of a table. Sources
 * that load many pages or slice cached data work on these; `label` names rows in errors.
 */
export function recordsToColumns(
  records: unknown[],
  spec: DatasetSpec,
  where: string,
  label: RowLabel = (i) => `record ${i}`,
): RawColumns {
  // One compiled validator pass over the whole array is the fast path; the hand-written
  // description only runs on failure, to say what is wrong in words a user can act on.
  const validate = validatorFor(spec);
  if (!validate(records)) {
    const index = failingIndex(validate);
    throw recordError(records, index, spec, where, label) ?? new PipelineError("ingest", `${where}: ${label(index)} is invalid: ${validate.errors?.[0]?.message ?? "unknown reason"}`);
  }
  const c = spec.columns;
  const n = records.length;
  const cols: RawColumns = {
    timeUtc: new Array<string>(n),
    timeLocal: new Array<string>(n),
    area: new Array<string>(n),
    consumerType: new Array<number>(n),
    value: new Array<number | null>(n),
    times: new Array<number>(n),
  };
  // Consecutive rows share their hour (one row per series), so caching the last parse avoids
  // almost all Date work.
  let lastUtc = "";
  let lastUtcMs = NaN;
  let lastLocal = "";
  for (let i = 0; i < n; i++) {
    const r = records[i] as Record<string, unknown>;
    const utc = r[c.timeUtc] as string;
    if (utc !== lastUtc) {
      lastUtcMs = parseSourceTime(utc);
      lastUtc = utc;
      if (Number.isNaN(lastUtcMs)) throw valueError(where, label(i), c.timeUtc, utc, EXPECTED.timeUtc, "timeUtc");
    }
    const local = r[c.timeLocal] as string;
    if (local !== lastLocal) {
      if (Number.isNaN(parseSourceTime(local))) throw valueError(where, label(i), c.timeLocal, local, EXPECTED.timeLocal, "timeLocal");
      lastLocal = local;
    }
    const code = r[c.consumerType];
    cols.timeUtc[i] = utc;
    cols.timeLocal[i] = local;
    cols.area[i] = r[c.area] as string;
    cols.consumerType[i] = typeof code === "number" ? code : Number(code as string);
    cols.value[i] = r[c.value] as number | null;
    cols.times[i] = lastUtcMs;
  }
  return cols;
}

/** The raw table of checked columns, with the spec's column names in role order. */
export function columnsToTable(cols: RawColumns, spec: DatasetSpec): ColumnTable {
  const c = spec.columns;
  return aq.table(
    {
      [c.timeUtc]: cols.timeUtc,
      [c.timeLocal]: cols.timeLocal,
      [c.area]: cols.area,
      [c.consumerType]: cols.consumerType,
      [c.value]: cols.value,
    },
    RAW_ROLES.map((role) => c[role]),
  ) as ColumnTable;
}

/** Columns with no rows. */
export function emptyColumns(): RawColumns {
  return { timeUtc: [], timeLocal: [], area: [], consumerType: [], value: [], times: [] };
}

/** The columns sorted by time (stable: rows of one hour keep their order); returned as is when already sorted. */
export function sortByTime(cols: RawColumns): RawColumns {
  const t = cols.times;
  let sorted = true;
  for (let i = 1; i < t.length && sorted; i++) sorted = t[i - 1] <= t[i];
  if (sorted) return cols;
  const order = t.map((_, i) => i).sort((a, b) => t[a] - t[b] || a - b);
  const pick = <T>(xs: T[]): T[] => order.map((i) => xs[i]);
  return {
    timeUtc: pick(cols.timeUtc),
    timeLocal: pick(cols.timeLocal),
    area: pick(cols.area),
    consumerType: pick(cols.consumerType),
    value: pick(cols.value),
    times: pick(t),
  };
}

/** The rows of time-sorted columns whose hour is in `[range.start, range.end)`. */
export function sliceByTime(cols: RawColumns, range: TimeRange): RawColumns {
  const from = lowerBound(cols.times, range.start);
  const to = lowerBound(cols.times, range.end);
  return {
    timeUtc: cols.timeUtc.slice(from, to),
    timeLocal: cols.timeLocal.slice(from, to),
    area: cols.area.slice(from, to),
    consumerType: cols.consumerType.slice(from, to),
    value: cols.value.slice(from, to),
    times: cols.times.slice(from, to),
  };
}

/** Appends column sets in order (pages of one extract). */
export function concatColumns(parts: RawColumns[]): RawColumns {
  if (parts.length === 1) return parts[0];
  const out = emptyColumns();
  for (const p of parts) {
    for (const key of [...RAW_ROLES, "times"] as const) {
      const target = out[key] as unknown[];
      for (const v of p[key] as unknown[]) target.push(v);
    }
  }
  return out;
}

/** `[first hour, last hour + 1 h)` of time-sorted columns; undefined when empty. */
export function columnsExtent(cols: RawColumns): TimeRange | undefined {
  const n = cols.times.length;
  return n === 0 ? undefined : { start: cols.times[0], end: cols.times[n - 1] + HOUR_MS };
}

/**
 * Parses a source time `yyyy-MM-ddTHH:mm[:ss]` (no offset: the column's own zone, read as UTC)
 * to epoch ms; NaN for anything else, including impossible dates such as `2023-02-30T00:00`.
 */
export function parseSourceTime(text: string): number {
  if (!TIME_RE.test(text)) return NaN;
  const y = +text.slice(0, 4);
  const mo = +text.slice(5, 7);
  const d = +text.slice(8, 10);
  const h = +text.slice(11, 13);
  const mi = +text.slice(14, 16);
  const s = text.length > 16 ? +text.slice(17, 19) : 0;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return NaN;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d ? ms : NaN;
}

/** Epoch ms -> `yyyy-MM-ddTHH:mm:ss`, the form the API and its CSV files use. */
export function formatSourceTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** Renders a value for an error message: short, typed, never a wall of text. */
export function showValue(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  const kind = Array.isArray(v) ? "array" : typeof v;
  let text: string;
  try {
    text = typeof v === "number" || typeof v === "bigint" ? String(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  if (text.length > 60) text = text.slice(0, 57) + "...";
  return `${text} (${kind})`;
}

function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function validatorFor(spec: DatasetSpec): ValidateFunction {
  const c = spec.columns;
  const names = RAW_ROLES.map((role) => c[role]);
  const key = JSON.stringify(names);
  let validate = validators.get(key);
  if (validate) return validate;
  if (new Set(names).size !== names.length) {
    throw new ConfigError(
      `the dataset spec maps two roles to the same column (${RAW_ROLES.map((r) => `${r}=${c[r]}`).join(", ")}); set EDS_COLUMN_* so each role has its own column`,
    );
  }
  ajv ??= new Ajv({ allErrors: false, allowUnionTypes: true });
  validate = ajv.compile({
    type: "array",
    items: {
      type: "object",
      required: names,
      properties: {
        [c.timeUtc]: { type: "string", pattern: TIME_PATTERN },
        [c.timeLocal]: { type: "string", pattern: TIME_PATTERN },
        [c.area]: { type: "string" },
        [c.consumerType]: { anyOf: [{ type: "integer" }, { type: "string", pattern: INTEGER_STRING_PATTERN }] },
        [c.value]: { type: ["number", "null"] },
      },
    },
  });
  validators.set(key, validate);
  return validate;
}

function failingIndex(validate: ValidateFunction): number {
  const path = validate.errors?.[0]?.instancePath ?? "";
  const m = /^\/(\d+)/.exec(path);
  return m ? Number(m[1]) : 0;
}

/** Describes what is wrong with `records[index]`, or undefined if nothing is. */
function recordError(records: unknown[], index: number, spec: DatasetSpec, where: string, label: RowLabel): PipelineError | undefined {
  const c = spec.columns;
  const expectedNames = RAW_ROLES.map((role) => c[role]).join(", ");
  const r = records[index];
  if (typeof r !== "object" || r === null || Array.isArray(r)) {
    return new PipelineError(
      "ingest",
      `${where}: ${label(index)} is ${showValue(r)}, expected an object with columns ${expectedNames}; the source did not return rows: check the source`,
    );
  }
  const row = r as Record<string, unknown>;
  const missing = RAW_ROLES.filter((role) => !(c[role] in row));
  if (missing.length > 0) {
    const settings = missing.map((role) => ROLE_SETTING[role]).join(", ");
    return new PipelineError(
      "ingest",
      `${where}: ${label(index)} lacks column(s) ${missing.map((role) => `"${c[role]}"`).join(", ")}; ` +
        `the dataset's columns are ${Object.keys(row).join(", ")}, expected ${expectedNames}; ` +
        `the dataset's schema changed: set ${settings} (the dataset spec's column names) to match`,
    );
  }
  for (const role of RAW_ROLES) {
    const v = row[c[role]];
    let ok: boolean;
    switch (role) {
      case "timeUtc":
      case "timeLocal":
        ok = typeof v === "string" && !Number.isNaN(parseSourceTime(v));
        break;
      case "area":
        ok = typeof v === "string";
        break;
      case "consumerType":
        ok = (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && INTEGER_STRING_RE.test(v));
        break;
      case "value":
        ok = v === null || (typeof v === "number" && Number.isFinite(v));
        break;
    }
    if (!ok) return valueError(where, label(index), c[role], v, EXPECTED[role], role);
  }
  return undefined;
}

function valueError(where: string, row: string, column: string, v: unknown, expected: string, role: RawRole): PipelineError {
  return new PipelineError(
    "ingest",
    `${where}: ${row} column "${column}" is ${showValue(v)}, expected ${expected}; ` +
      `the source's data does not match the dataset spec: check that ${ROLE_SETTING[role]} names the right column, or fix the source data`,
  );
}
