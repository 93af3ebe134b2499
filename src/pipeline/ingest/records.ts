import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { ValidateFunction } from "ajv";
import { compileFirstError } from "../../validation/ajv.js";
import { PipelineError } from "../core/errors.js";
import { sourceColumns, type DatasetSpec, type KeySpec } from "../dataset/spec.js";
import { rowSeriesIds, type KeyValue } from "../series/key.js";
import { HOUR_MS, parseWallTime, wallTimesToUtc, wallToUtcCandidates, type DstCounts, type TimeRange } from "../time/index.js";

/**
 * Checked raw rows of a dataset, held column-wise: the time as the source wrote it, one array per
 * key column (spec order; source values: text for string and coded keys, numbers for integer
 * keys), the value, and the UTC hour of each row after the zone rules, parsed once.
 */
export interface RawColumns {
  time: string[];
  keys: KeyValue[][];
  value: Array<number | null>;
  /** Per-row unit, when the spec names a unit column. */
  unit?: string[];
  /** UTC hour of each row (epoch ms). */
  times: number[];
  /** Wall times that needed a daylight-saving rule (local-time sources). */
  dst: DstCounts;
}

/** Names a row in error messages, e.g. `record 12` or `line 14`. */
export type RowLabel = (index: number) => string;

const TIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?$";
const OFFSET_RE = /(Z|[+-]\d{2}:?\d{2})$/;
const INTEGER_STRING_PATTERN = "^\\s*[+-]?\\d+\\s*$";
const INTEGER_STRING_RE = new RegExp(INTEGER_STRING_PATTERN);

/** What a time column must hold, for messages. */
const EXPECTED_TIME = 'a time like "2022-12-21T16:00:00" (yyyy-MM-ddTHH:mm[:ss], optionally with Z or an offset)';

const TIME_RE = new RegExp(TIME_PATTERN, "u");

/**
 * Whether a time text surely passes the schema's time pattern (the same regular expression):
 * a fast check for sources that check rows one at a time.
 */
export function isTimeText(text: string): boolean {
  return TIME_RE.test(text);
}

/** Whether a text surely passes the schema of an integer key (the same regular expression). */
export function isIntegerText(text: string): boolean {
  return INTEGER_STRING_RE.test(text);
}

/** Parses one time text to UTC ms when it carries its own offset; else its wall time as if UTC (NaN when unparseable). */
export function parseTimeText(text: string): { ms: number; instant: boolean } {
  const m = OFFSET_RE.exec(text);
  if (!m) return { ms: parseWallTime(text), instant: false };
  const wall = parseWallTime(text.slice(0, text.length - m[1].length));
  if (m[1] === "Z") return { ms: wall, instant: true };
  const o = /([+-])(\d{2}):?(\d{2})/.exec(m[1])!;
  return { ms: wall - (o[1] === "-" ? -1 : 1) * (+o[2] * 60 + +o[3]) * 60_000, instant: true };
}

/**
 * Checks source records (JSON objects from the API, or rows of a file) against the dataset spec
 * and returns them column-wise; extra columns are dropped. Key values become text (string and
 * coded keys) or integers (integer keys); times become UTC hours by the spec's zone.
 *
 * Throws `PipelineError("ingest")` on the first bad record, naming the record, the column, the
 * expected and actual value and the likely fix. `where` says which source and request the
 * records came from.
 */
export function recordsToColumns(records: unknown[], spec: DatasetSpec, where: string, label: RowLabel = (i) => `record ${i}`): RawColumns {
  // One compiled validator pass over the whole array is the fast path; the hand-written
  // description only runs on failure, to say what is wrong in words a user can act on.
  const validate = validatorFor(spec);
  if (!validate(records)) {
    const index = failingIndex(validate);
    throw (
      recordError(records, index, spec, where, label) ??
      new PipelineError("ingest", `${where}: ${label(index)} is invalid: ${validate.errors?.[0]?.message ?? "unknown reason"}`)
    );
  }
  const n = records.length;
  const cols: RawColumns = {
    time: new Array<string>(n),
    keys: spec.keys.map(() => new Array<KeyValue>(n)),
    value: new Array<number | null>(n),
    times: new Array<number>(n),
    dst: { nonexistent: 0, repeated: 0 },
  };
  if (spec.unitColumn) cols.unit = new Array<string>(n);
  // A key's few distinct texts are shared by all its rows: JSON.parse makes a new string per
  // record, and million-row extracts would otherwise hold millions of copies of "101".
  const interned = spec.keys.map(() => new Map<string, string>());
  const walls = new Float64Array(n);
  const instant = new Uint8Array(n);
  // Consecutive rows share their hour (one row per series), so caching the last parse avoids
  // almost all Date work.
  let last = "";
  let lastParsed = { ms: NaN, instant: false };
  for (let i = 0; i < n; i++) {
    const r = records[i] as Record<string, unknown>;
    const text = r[spec.time.source] as string;
    if (text !== last) {
      lastParsed = parseTimeText(text);
      last = text;
      if (Number.isNaN(lastParsed.ms)) throw timeTextError(where, label(i), spec.time.source, text);
    }
    // `last` equals `text`; storing it lets every row of an hour share one string.
    cols.time[i] = last;
    walls[i] = lastParsed.ms;
    instant[i] = lastParsed.instant ? 1 : 0;
    for (let k = 0; k < spec.keys.length; k++) cols.keys[k][i] = keyValue(spec.keys[k], r[spec.keys[k].source], interned[k]);
    cols.value[i] = r[spec.value.source] as number | null;
    if (cols.unit) cols.unit[i] = String(r[spec.unitColumn!]);
  }
  const zone = spec.time.zone;
  if (zone === "UTC") {
    for (let i = 0; i < n; i++) cols.times[i] = walls[i];
  } else {
    // Only wall times go through the zone rules: an instant (written with an offset) is neither
    // counted nor taken as a reading of a repeated hour (NaN rows are skipped).
    const wallOnly = walls.map((w, i) => (instant[i] ? NaN : w));
    const utc = wallTimesToUtc(zone, wallOnly, rowSeriesIds(cols.keys, n), cols.dst);
    for (let i = 0; i < n; i++) cols.times[i] = instant[i] ? walls[i] : utc[i];
  }
  for (let i = 0; i < n; i++) {
    if (cols.times[i] % HOUR_MS !== 0) {
      throw hourStartError(where, label(i), spec.time.source, cols.time[i]);
    }
  }
  return cols;
}

/**
 * The error {@link recordsToColumns} throws when this one record fails the spec's schema (the
 * same compiled validator and words), or undefined when it passes; `row` names it (`line 14`).
 * For sources that check rows one at a time, after a fast check that may be stricter.
 */
export function recordSchemaError(record: Record<string, unknown>, spec: DatasetSpec, where: string, row: string): PipelineError | undefined {
  const validate = validatorFor(spec);
  const records = [record];
  if (validate(records)) return undefined;
  const label: RowLabel = () => row;
  return (
    recordError(records, 0, spec, where, label) ??
    new PipelineError("ingest", `${where}: ${row} is invalid: ${validate.errors?.[0]?.message ?? "unknown reason"}`)
  );
}

/** A time text that matches the pattern but is no date (`2023-13-01T00:00`). */
export function timeTextError(where: string, row: string, column: string, text: string): PipelineError {
  return valueError(where, row, column, text, EXPECTED_TIME, "--time");
}

/** A time that is not the start of a UTC hour after the zone rules (`12:30`). */
export function hourStartError(where: string, row: string, column: string, text: string): PipelineError {
  return valueError(where, row, column, text, "the start of an hour (minutes and seconds 0): the data must be hourly", "--time");
}

function keyValue(key: KeySpec, v: unknown, interned: Map<string, string>): KeyValue {
  if (key.type === "utf8" || key.codes) {
    const text = typeof v === "string" ? v.trim() : String(v);
    const shared = interned.get(text);
    if (shared !== undefined) return shared;
    interned.set(text, text);
    return text;
  }
  return typeof v === "number" ? v : Number(v as string);
}

/** The raw table of checked columns, with the source's column names: time, keys, value (unit). */
export function columnsToTable(cols: RawColumns, spec: DatasetSpec): ColumnTable {
  const data: Record<string, unknown[]> = { [spec.time.source]: cols.time };
  spec.keys.forEach((k, i) => (data[k.source] = cols.keys[i]));
  data[spec.value.source] = cols.value;
  if (spec.unitColumn && cols.unit) data[spec.unitColumn] = cols.unit;
  return aq.table(data, sourceColumns(spec)) as ColumnTable;
}

/** Columns with no rows. */
export function emptyColumns(spec: DatasetSpec): RawColumns {
  return { time: [], keys: spec.keys.map(() => []), value: [], ...(spec.unitColumn ? { unit: [] } : {}), times: [], dst: { nonexistent: 0, repeated: 0 } };
}

/** The rows at the given indices, in that order. */
export function pickRows(cols: RawColumns, rows: ArrayLike<number>): RawColumns {
  const pick = <T>(xs: T[]): T[] => Array.from(rows as ArrayLike<number>, (i) => xs[i]);
  return {
    time: pick(cols.time),
    keys: cols.keys.map(pick),
    value: pick(cols.value),
    ...(cols.unit ? { unit: pick(cols.unit) } : {}),
    times: pick(cols.times),
    dst: cols.dst,
  };
}

/** The columns sorted by time (stable: rows of one hour keep their order); returned as is when already sorted. */
export function sortByTime(cols: RawColumns): RawColumns {
  const t = cols.times;
  let sorted = true;
  for (let i = 1; i < t.length && sorted; i++) sorted = t[i - 1] <= t[i];
  if (sorted) return cols;
  return pickRows(
    cols,
    t.map((_, i) => i).sort((a, b) => t[a] - t[b] || a - b),
  );
}

/** The rows of time-sorted columns whose hour is in `[range.start, range.end)`. */
export function sliceByTime(cols: RawColumns, range: TimeRange): RawColumns {
  const from = lowerBound(cols.times, range.start);
  const to = lowerBound(cols.times, range.end);
  return {
    time: cols.time.slice(from, to),
    keys: cols.keys.map((k) => k.slice(from, to)),
    value: cols.value.slice(from, to),
    ...(cols.unit ? { unit: cols.unit.slice(from, to) } : {}),
    times: cols.times.slice(from, to),
    dst: cols.dst,
  };
}

/**
 * Only the rows whose key columns pass `filter` (source column -> allowed values), the same rule
 * the API applies to its `filter` parameter. Returned as is without a filter.
 */
export function filterColumns(cols: RawColumns, spec: DatasetSpec, filter: Record<string, KeyValue[]> | undefined): RawColumns {
  if (!filter || Object.keys(filter).length === 0) return cols;
  const tests = Object.entries(filter).map(([column, allowed]) => {
    const k = spec.keys.findIndex((key) => key.source === column);
    return { values: cols.keys[k], allowed: new Set(allowed.map(String)) };
  });
  const rows: number[] = [];
  for (let i = 0; i < cols.times.length; i++) if (tests.every((t) => t.allowed.has(String(t.values[i])))) rows.push(i);
  return rows.length === cols.times.length ? cols : pickRows(cols, rows);
}

/** Appends column sets in order (pages of one extract); daylight-saving counts add up. */
export function concatColumns(parts: RawColumns[], spec: DatasetSpec): RawColumns {
  if (parts.length === 1) return parts[0];
  const out = emptyColumns(spec);
  for (const p of parts) appendColumns(out, p);
  return out;
}

/**
 * Appends `part`'s rows to `into` in place (a page to the extract so far), so a caller can drop
 * each page as soon as it is appended; daylight-saving counts add up.
 */
export function appendColumns(into: RawColumns, part: RawColumns): void {
  for (const v of part.time) into.time.push(v);
  part.keys.forEach((k, i) => {
    const out = into.keys[i];
    for (const v of k) out.push(v);
  });
  for (const v of part.value) into.value.push(v);
  if (into.unit && part.unit) for (const v of part.unit) into.unit.push(v);
  for (const v of part.times) into.times.push(v);
  into.dst.nonexistent += part.dst.nonexistent;
  into.dst.repeated += part.dst.repeated;
}

/**
 * The daylight-saving counts of exactly these rows (a slice or a filtered subset of a cached file,
 * whose `dst` counts every row of the file), recomputed from each row's wall time and UTC hour:
 * a wall time that does not exist in `zone` is a nonexistent one; a row on the later of a repeated
 * wall hour's two instants is a second reading (the rule of `wallTimesToUtc`). Times written with
 * an offset needed no rule.
 */
export function countDst(cols: RawColumns, zone: string): DstCounts {
  const counts: DstCounts = { nonexistent: 0, repeated: 0 };
  if (zone === "UTC") return counts;
  const candidates = new Map<string, number[] | undefined>();
  for (let i = 0; i < cols.times.length; i++) {
    const text = cols.time[i];
    let c = candidates.get(text);
    if (!candidates.has(text)) {
      const parsed = parseTimeText(text);
      c = parsed.instant ? undefined : wallToUtcCandidates(zone, parsed.ms);
      candidates.set(text, c);
    }
    if (c === undefined) continue;
    if (c.length === 0) counts.nonexistent++;
    else if (c.length > 1 && cols.times[i] === c[c.length - 1]) counts.repeated++;
  }
  return counts;
}

/** `[first hour, last hour + 1 h)` of time-sorted columns; undefined when empty. */
export function columnsExtent(cols: RawColumns): TimeRange | undefined {
  const n = cols.times.length;
  return n === 0 ? undefined : { start: cols.times[0], end: cols.times[n - 1] + HOUR_MS };
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

function keySchema(key: KeySpec): object {
  if (key.type === "utf8" || key.codes) return { type: ["string", "integer"] };
  return { anyOf: [{ type: "integer" }, { type: "string", pattern: INTEGER_STRING_PATTERN }] };
}

function validatorFor(spec: DatasetSpec): ValidateFunction {
  const properties: Record<string, object> = {
    [spec.time.source]: { type: "string", pattern: TIME_PATTERN },
    [spec.value.source]: { type: ["number", "null"] },
  };
  for (const k of spec.keys) properties[k.source] = keySchema(k);
  if (spec.unitColumn) properties[spec.unitColumn] = { type: "string" };
  // Compiled once per dataset shape: compileFirstError caches by the schema's text.
  return compileFirstError({ type: "array", items: { type: "object", required: sourceColumns(spec), properties } });
}

function failingIndex(validate: ValidateFunction): number {
  const path = validate.errors?.[0]?.instancePath ?? "";
  const m = /^\/(\d+)/.exec(path);
  return m ? Number(m[1]) : 0;
}

/** Describes what is wrong with `records[index]`, or undefined if nothing is. */
function recordError(records: unknown[], index: number, spec: DatasetSpec, where: string, label: RowLabel): PipelineError | undefined {
  const expectedNames = sourceColumns(spec).join(", ");
  const r = records[index];
  if (typeof r !== "object" || r === null || Array.isArray(r)) {
    return new PipelineError(
      "ingest",
      `${where}: ${label(index)} is ${showValue(r)}, expected an object with columns ${expectedNames}; the source did not return rows: check the source`,
    );
  }
  const row = r as Record<string, unknown>;
  const missing = sourceColumns(spec).filter((c) => !(c in row));
  if (missing.length > 0) return driftError(where, label(index), missing, Object.keys(row), spec);
  const t = row[spec.time.source];
  if (typeof t !== "string" || Number.isNaN(parseTimeText(t).ms)) return valueError(where, label(index), spec.time.source, t, EXPECTED_TIME, "--time");
  for (const k of spec.keys) {
    const v = row[k.source];
    const ok =
      k.type === "utf8" || k.codes
        ? typeof v === "string" || (typeof v === "number" && Number.isInteger(v))
        : (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && INTEGER_STRING_RE.test(v));
    if (!ok)
      return valueError(
        where,
        label(index),
        k.source,
        v,
        k.type === "utf8" || k.codes ? 'a key text like "DK1" or "101"' : "an integer code like 111",
        "--keys",
      );
  }
  const v = row[spec.value.source];
  if (!(v === null || (typeof v === "number" && Number.isFinite(v))))
    return valueError(where, label(index), spec.value.source, v, "a finite number or null", "--value");
  return undefined;
}

/**
 * The source's columns differ from the dataset spec: name what is missing, what the source has,
 * and that the preset (one file) is what to fix.
 */
export function driftError(where: string, row: string, missing: string[], found: string[], spec: DatasetSpec): PipelineError {
  const unknown = found.filter((c) => !sourceColumns(spec).includes(c) && !(spec.extraColumns ?? []).includes(c));
  return new PipelineError(
    "ingest",
    `${where}: ${row} lacks column(s) ${missing.map((c) => `"${c}"`).join(", ")}; the source's columns are ${found.join(", ")}, expected ${sourceColumns(spec).join(", ")}` +
      (unknown.length > 0 ? ` (columns the dataset spec does not know: ${unknown.join(", ")})` : "") +
      `; the dataset's schema changed or the wrong dataset was picked: fix the ${spec.name === "file" ? "flags --keys/--time/--value" : `preset file (src/pipeline/dataset/presets/${spec.name}.json) or pass --keys/--time/--value`}`,
  );
}

function valueError(where: string, row: string, column: string, v: unknown, expected: string, flag: string): PipelineError {
  return new PipelineError(
    "ingest",
    `${where}: ${row} column "${column}" is ${showValue(v)}, expected ${expected}; ` +
      `the source's data does not match the dataset spec: check that ${flag} (or the preset) names the right column, or fix the source data`,
  );
}
