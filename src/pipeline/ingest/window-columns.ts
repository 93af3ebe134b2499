import type { PipelineError } from "../core/errors.js";
import type { DatasetSpec, KeySpec } from "../dataset/spec.js";
import { rowSeriesId, type KeyValue } from "../series/key.js";
import { HOUR_MS, wallToUtcCandidates, type DstCounts, type TimeRange } from "../time/index.js";
import { hourStartError, isIntegerText, isTimeText, parseTimeText, recordSchemaError, timeTextError, type RawColumns } from "./records.js";
import type { SeriesFilter } from "./source.js";

/** Which rows a {@link WindowColumns} keeps: UTC hours in `range` (default all), series passing `filter`. */
export interface RowWindow {
  range?: TimeRange;
  filter?: SeriesFilter;
}

/** One distinct text of a key column, checked and converted once for all its rows. */
interface KeyEntry {
  code: number;
  value: KeyValue;
  /** Surely valid by the spec's schema (else the record is checked in full). */
  ok: boolean;
  /** Passes the series filter on this key. */
  pass: boolean;
}

/**
 * Checks a file's rows one at a time against the dataset spec, exactly as `recordsToColumns`
 * checks a whole array (same rules, same messages, and the same error when a file has several:
 * a schema error anywhere beats an unreadable time, which beats a time off the hour), and keeps
 * only the rows of one window, so a file far larger than memory can be read once per extract.
 *
 * Kept rows are held compactly until {@link columns}: times and values in growing
 * Float64Arrays (a null value as NaN, which no parsed value can be), time texts, keys and units
 * as Int32Array codes into per-column dictionaries. Rows outside the window leave only the extent.
 */
export class WindowColumns {
  private readonly keyDicts: Array<Map<string, KeyEntry>>;
  private readonly keyValues: KeyValue[][];
  private readonly filters: Array<Set<string> | undefined>;
  private readonly timeDict = new Map<string, number>();
  private readonly timeTexts: string[] = [];
  private readonly unitDict = new Map<string, number>();
  private readonly unitTexts: string[] = [];
  private readonly candidates = new Map<number, number[]>();
  private readonly seen = new Map<string, number>();
  private readonly keyCodes: GrowingInt32[];
  private readonly timeCodes = new GrowingInt32();
  private readonly unitCodes = new GrowingInt32();
  private readonly values = new GrowingFloat64();
  private readonly times = new GrowingFloat64();
  private readonly dst: DstCounts = { nonexistent: 0, repeated: 0 };
  private readonly start: number;
  private readonly end: number;
  private lastText: string | undefined;
  private lastOk = false;
  private lastParsed = { ms: NaN, instant: false };
  private min = Infinity;
  private max = -Infinity;
  private count = 0;
  private schemaError: PipelineError | undefined;
  private timeError: PipelineError | undefined;
  private hourError: PipelineError | undefined;

  /** `where` names the source in errors. */
  constructor(
    private readonly spec: DatasetSpec,
    private readonly where: string,
    window: RowWindow = {},
  ) {
    this.keyDicts = spec.keys.map(() => new Map());
    this.keyValues = spec.keys.map(() => []);
    this.keyCodes = spec.keys.map(() => new GrowingInt32());
    this.filters = spec.keys.map((k) => {
      const allowed = window.filter?.[k.source];
      return allowed && Object.keys(window.filter!).length > 0 ? new Set(allowed.map(String)) : undefined;
    });
    this.start = window.range?.start ?? -Infinity;
    this.end = window.range?.end ?? Infinity;
  }

  /** Rows checked so far. */
  get rows(): number {
    return this.count;
  }

  /**
   * Checks one row, given as a file holds it (time text, key texts in spec order, the value as
   * parsed, the unit text) and keeps it if it is in the window; `label` names it in errors
   * (`line 14`). Errors are kept, not thrown: see {@link error}.
   */
  add(time: string, keys: readonly string[], value: number | string | null, unit: string | undefined, label: string): void {
    this.count++;
    const nk = keys.length;
    let ok = true;
    let pass = true;
    const entries: KeyEntry[] = new Array<KeyEntry>(nk);
    for (let k = 0; k < nk; k++) {
      const e = this.entry(k, keys[k]);
      entries[k] = e;
      ok &&= e.ok;
      pass &&= e.pass;
    }
    if (time !== this.lastText) {
      this.lastText = time;
      this.lastOk = isTimeText(time);
      this.lastParsed = parseTimeText(time);
    }
    ok = ok && this.lastOk && (value === null || (typeof value === "number" && Number.isFinite(value)));
    if (!ok) {
      // The fast checks are stricter than the schema: only the schema decides, and words the error.
      const error = recordSchemaError(this.record(time, keys, value, unit), this.spec, this.where, label);
      if (error) {
        this.schemaError ??= error;
        return;
      }
    }
    // Once a row failed, only an earlier-ranked error can still change what is thrown.
    if (this.schemaError) return;
    const { ms, instant } = this.lastParsed;
    if (Number.isNaN(ms)) {
      this.timeError ??= timeTextError(this.where, label, this.spec.time.source, time);
      return;
    }
    if (this.timeError) return;
    const t = this.spec.time.zone === "UTC" || instant ? ms : this.wallToUtc(ms, entries);
    if (t % HOUR_MS !== 0) {
      this.hourError ??= hourStartError(this.where, label, this.spec.time.source, time);
      return;
    }
    if (this.hourError) return;
    if (t < this.min) this.min = t;
    if (t > this.max) this.max = t;
    if (!pass || t < this.start || t >= this.end) return;
    for (let k = 0; k < nk; k++) this.keyCodes[k].push(entries[k].code);
    this.timeCodes.push(this.code(this.timeDict, this.timeTexts, time));
    this.values.push(value === null ? NaN : (value as number));
    if (unit !== undefined) this.unitCodes.push(this.code(this.unitDict, this.unitTexts, unit));
    this.times.push(t);
    this.countDst(t, ms, instant);
  }

  /** The error `recordsToColumns` would throw for the rows added so far, if any. */
  error(): PipelineError | undefined {
    return this.schemaError ?? this.timeError ?? this.hourError;
  }

  /** `[first hour, last hour + 1 h)` of all rows added (kept or not); undefined when none. */
  extent(): TimeRange | undefined {
    return this.max < this.min ? undefined : { start: this.min, end: this.max + HOUR_MS };
  }

  /** The kept rows as raw columns, in the order they were added; `dst` counts them only. */
  columns(): RawColumns {
    const n = this.times.length;
    const time = new Array<string>(n);
    const value = new Array<number | null>(n);
    const times = new Array<number>(n);
    const tc = this.timeCodes.data;
    const vs = this.values.data;
    const ts = this.times.data;
    for (let i = 0; i < n; i++) {
      time[i] = this.timeTexts[tc[i]];
      const v = vs[i];
      value[i] = Number.isNaN(v) ? null : v;
      times[i] = ts[i];
    }
    const keys = this.keyCodes.map((codes, k) => {
      const out = new Array<KeyValue>(n);
      const dict = this.keyValues[k];
      for (let i = 0; i < n; i++) out[i] = dict[codes.data[i]];
      return out;
    });
    const cols: RawColumns = { time, keys, value, times, dst: { ...this.dst } };
    if (this.spec.unitColumn) {
      const unit = new Array<string>(n);
      for (let i = 0; i < n; i++) unit[i] = this.unitTexts[this.unitCodes.data[i]];
      cols.unit = unit;
    }
    return cols;
  }

  private entry(k: number, text: string): KeyEntry {
    const dict = this.keyDicts[k];
    let e = dict.get(text);
    if (e === undefined) {
      const value = keyValue(this.spec.keys[k], text);
      const filter = this.filters[k];
      const values = this.keyValues[k];
      e = { code: values.length, value, ok: isUtf8(this.spec.keys[k]) || isIntegerText(text), pass: !filter || filter.has(String(value)) };
      values.push(value);
      dict.set(text, e);
    }
    return e;
  }

  private code(dict: Map<string, number>, texts: string[], text: string): number {
    let c = dict.get(text);
    if (c === undefined) {
      c = texts.length;
      texts.push(text);
      dict.set(text, c);
    }
    return c;
  }

  /**
   * A wall time's UTC hour by the zone's rules, as `wallTimesToUtc` reads a whole column: a
   * skipped (spring) hour is the following hour; of a repeated (autumn) hour, a series' first row
   * is the earlier instant and its later rows the later one, in file order.
   */
  private wallToUtc(wall: number, entries: KeyEntry[]): number {
    const c = this.candidatesOf(wall);
    if (c.length === 1) return c[0];
    if (c.length === 0) return wallToUtcCandidates(this.spec.time.zone, wall + HOUR_MS)[0] ?? NaN;
    const id = `${rowSeriesId(
      entries.map((e) => [e.value]),
      0,
    )}\u0000${wall}`;
    const times = this.seen.get(id) ?? 0;
    this.seen.set(id, times + 1);
    return c[Math.min(times, c.length - 1)];
  }

  private candidatesOf(wall: number): number[] {
    let c = this.candidates.get(wall);
    if (c === undefined) this.candidates.set(wall, (c = wallToUtcCandidates(this.spec.time.zone, wall)));
    return c;
  }

  /** Counts a kept row's daylight-saving reading, as `countDst` counts a row of an extract. */
  private countDst(t: number, wall: number, instant: boolean): void {
    if (this.spec.time.zone === "UTC" || instant) return;
    const c = this.candidatesOf(wall);
    if (c.length === 0) this.dst.nonexistent++;
    else if (c.length > 1 && t === c[c.length - 1]) this.dst.repeated++;
  }

  private record(time: string, keys: readonly string[], value: unknown, unit: string | undefined): Record<string, unknown> {
    const record: Record<string, unknown> = { [this.spec.time.source]: time, [this.spec.value.source]: value };
    this.spec.keys.forEach((k, i) => (record[k.source] = keys[i]));
    if (this.spec.unitColumn) record[this.spec.unitColumn] = unit;
    return record;
  }
}

function isUtf8(key: KeySpec): boolean {
  return key.type === "utf8" || Boolean(key.codes);
}

/** A key's value as `recordsToColumns` stores it: trimmed text, or the integer. */
function keyValue(key: KeySpec, text: string): KeyValue {
  return isUtf8(key) ? text.trim() : Number(text);
}

/** A Float64Array that doubles as it fills. */
class GrowingFloat64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** An Int32Array that doubles as it fills. */
class GrowingInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}
