import { PipelineError } from "../core/errors.js";

/**
 * The series model: a series is identified by one or more key columns, each holding strings or
 * integers (`area` + `consumer_type` for DE35, `PriceArea`, `MunicipalityNo` + `Branche`, a meter
 * id...). This module is the one place that encodes, decodes, orders and labels keys; ingest,
 * the feature store, features, models, backtest, predict, monitor, the report and the notebooks
 * all go through it.
 */

/** One key value: a string code or an integer. */
export type KeyValue = string | number;

/** A series' identity: its key values, in key-column order. */
export type SeriesKey = readonly KeyValue[];

/** Stored type of a key column. */
export type KeyType = "int8" | "int32" | "utf8";

/** A key column of the canonical tables: its stored name and type. */
export interface KeyColumn {
  name: string;
  type: KeyType;
}

const SEP = "\u001f";

/** The map key of a series: its values joined (unique for the typed key columns). */
export function seriesId(key: SeriesKey): string {
  return key.length === 1 ? String(key[0]) : key.join(SEP);
}

/** Inverse of {@link seriesId} for the given key columns. */
export function parseSeriesId(id: string, columns: readonly KeyColumn[]): SeriesKey {
  const parts = columns.length === 1 ? [id] : id.split(SEP);
  if (parts.length !== columns.length) {
    throw new PipelineError("series", `series id "${id}" has ${parts.length} part(s), expected ${columns.length} (${columns.map((c) => c.name).join(", ")})`);
  }
  return parts.map((p, i) => (columns[i].type === "utf8" ? p : Number(p)));
}

/** Total order of keys: column by column, numbers numerically, strings by code unit. */
export function compareKeys(a: SeriesKey, b: SeriesKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** `area=1, consumer_type=111`, for messages. */
export function describeKey(key: SeriesKey, columns: readonly KeyColumn[]): string {
  return columns.map((c, i) => `${c.name}=${String(key[i])}`).join(", ");
}

/**
 * A key value as a number for the model's identity features: integers as they are, integer-like
 * strings (`"101"`) as their number, other strings as a stable 24-bit hash. Needs no state, so
 * training and serving give every key the same number.
 */
export function keyFeature(v: KeyValue): number {
  if (typeof v === "number") return v;
  if (/^-?\d{1,9}$/.test(v)) return Number(v);
  let h = 0x811c9dc5;
  for (let i = 0; i < v.length; i++) {
    h ^= v.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 8) + 1e9;
}

/** Reads the key of row `i` from key column arrays. */
export function keyAt(columns: ReadonlyArray<ArrayLike<unknown>>, i: number): SeriesKey {
  const out = new Array<KeyValue>(columns.length);
  for (let k = 0; k < columns.length; k++) out[k] = columns[k][i] as KeyValue;
  return out;
}

/** The series id of every row, given the key column arrays of a table. */
export function rowSeriesIds(columns: ReadonlyArray<ArrayLike<unknown>>, n: number): string[] {
  const ids = new Array<string>(n);
  if (columns.length === 1) {
    const c = columns[0];
    for (let i = 0; i < n; i++) ids[i] = String(c[i]);
    return ids;
  }
  for (let i = 0; i < n; i++) {
    let id = String(columns[0][i]);
    for (let k = 1; k < columns.length; k++) id += SEP + String(columns[k][i]);
    ids[i] = id;
  }
  return ids;
}

/** The series id of row `i` (as {@link rowSeriesIds} gives it), given the key column arrays of a table. */
export function rowSeriesId(columns: ReadonlyArray<ArrayLike<unknown>>, i: number): string {
  if (columns.length === 1) return String(columns[0][i]);
  let id = String(columns[0][i]);
  for (let k = 1; k < columns.length; k++) id += SEP + String(columns[k][i]);
  return id;
}

/**
 * Column arrays for `keys`, each key repeated `repeat` times (a forecast's rows: series, then
 * step): integer columns as typed arrays, strings as arrays.
 */
export function keyColumnsFor(keys: readonly SeriesKey[], columns: readonly KeyColumn[], repeat = 1): Record<string, ArrayLike<KeyValue>> {
  const out: Record<string, ArrayLike<KeyValue>> = {};
  const n = keys.length * repeat;
  columns.forEach((c, k) => {
    const arr: number[] | Int8Array | Int32Array | string[] =
      c.type === "int8" ? new Int8Array(n) : c.type === "int32" ? new Int32Array(n) : new Array<string>(n);
    for (let s = 0; s < keys.length; s++) {
      const v = keys[s][k];
      for (let r = 0; r < repeat; r++) (arr as unknown as KeyValue[])[s * repeat + r] = v;
    }
    out[c.name] = arr as ArrayLike<KeyValue>;
  });
  return out;
}

/** The names of key columns. */
export function keyNames(columns: readonly KeyColumn[]): string[] {
  return columns.map((c) => c.name);
}

/** A key as an object of key column -> value (JSON outputs, report rows). */
export function namedKey(key: SeriesKey, columns: readonly KeyColumn[]): Record<string, KeyValue> {
  return Object.fromEntries(columns.map((c, i) => [c.name, key[i]]));
}

/** A key column with readable titles for some of its values (a dataset's `DatasetInfo.keys`). */
export interface TitledKeyColumn extends KeyColumn {
  titles?: Record<string, string>;
}

/** One key value for readers: its title when the dataset has one (`DK1 (West Denmark)`), else the value. */
export function keyValueLabel(value: KeyValue, column: TitledKeyColumn): string {
  return column.titles?.[String(value)] ?? String(value);
}

/**
 * A series' label for readers (report, notebooks): each value's title or the value, in key-column
 * order, joined by " · " (`DK1 (West Denmark) · 111`, `751 · Privat`). Not an identity: titles
 * need not be unique; use {@link seriesId} to match series.
 */
export function seriesLabel(key: SeriesKey, columns: readonly TitledKeyColumn[]): string {
  return columns.map((c, i) => keyValueLabel(key[i], c)).join(" · ");
}
