import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import { formatInstant, HOUR_MS } from "../time/index.js";
import { TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import { compareKeys, describeKey, keyAt, keyNames, rowSeriesId, type KeyColumn, type SeriesKey } from "../series/key.js";
import { columnValues } from "../core/columns.js";

export type { SeriesKey } from "../series/key.js";

/**
 * Many hourly series on one shared time grid: the in-memory form every model and the feature
 * builder work on. `values[s][i]` is series `s` at `start + i` hours; a missing hour is NaN.
 * Series are sorted by key ({@link compareKeys}) so their order never depends on input row order.
 */
export interface Panel {
  /** Epoch ms of the first hour. */
  start: number;
  /** Number of hours on the grid (every `values[s]` has this length). */
  hours: number;
  /** The key columns that identify a series. */
  keyColumns: readonly KeyColumn[];
  keys: SeriesKey[];
  values: Float64Array[];
}

/** Epoch ms of the last hour of the panel (the forecast origin when forecasting after it). */
export function panelEnd(panel: Pick<Panel, "start" | "hours">): number {
  return panel.start + (panel.hours - 1) * HOUR_MS;
}

/** Options of {@link panelFromTable}. */
export interface PanelOptions {
  /**
   * The time grid, first and last hour (epoch ms), instead of the rows' own first and last hour:
   * a predict shard builds the panel of its series on the grid of the whole window, so its origin
   * and stale-series detection are those of one process. A row outside it is an error. With a
   * grid, an empty table is an empty panel.
   */
  grid?: { start: number; end: number };
  /**
   * Only the series this accepts get into the panel; the rows of the others are skipped before
   * anything is built for them. Without `grid`, the grid still spans every row's hour.
   */
  include?: (key: SeriesKey) => boolean;
}

/**
 * Builds a panel from a canonical table (`datetime_utc` epoch ms, the key columns,
 * `energy_consumption`). Rows may come in any order (consecutive rows of one series, as the
 * feature store keeps them, are the fast path); hours a series lacks become NaN, as do null
 * values. Throws on a timestamp off the hour grid or a duplicate (series, hour), which would
 * otherwise be silently averaged or overwritten.
 */
export function panelFromTable(table: ColumnTable, keyColumns: readonly KeyColumn[], what = "history", options: PanelOptions = {}): Panel {
  const { grid, include } = options;
  const n = table.numRows();
  const expected = [TIME_COLUMN, ...keyNames(keyColumns), VALUE_COLUMN];
  if (n === 0 && !grid) throw new PipelineError("features", `${what} is empty; expected hourly rows of ${expected.join(", ")}`);
  for (const c of expected) {
    if (!table.columnNames().includes(c)) {
      throw new PipelineError(
        "features",
        `${what} lacks column "${c}"; expected the canonical columns ${expected.join(", ")} (found ${table.columnNames().join(", ")})`,
      );
    }
  }
  const time = columnValues(table, TIME_COLUMN);
  const keyCols = keyColumns.map((k) => columnValues(table, k.name));
  const value = columnValues(table, VALUE_COLUMN);
  const hourOf = (i: number): number => {
    const raw = time[i];
    const t = raw instanceof Date ? raw.getTime() : Number(raw);
    if (!Number.isFinite(t) || t % HOUR_MS !== 0) {
      throw new PipelineError("features", `${what} row ${i} has datetime_utc ${String(raw)}; expected epoch ms on a whole UTC hour`);
    }
    return t;
  };
  let min = Infinity;
  let max = -Infinity;
  if (grid) {
    if (!Number.isFinite(grid.start) || grid.start % HOUR_MS !== 0 || !Number.isFinite(grid.end) || grid.end % HOUR_MS !== 0 || grid.end < grid.start) {
      throw new PipelineError(
        "features",
        `the grid of ${what} is ${String(grid.start)} .. ${String(grid.end)}; expected two whole UTC hours, the first not after the last`,
      );
    }
    min = grid.start;
    max = grid.end;
  } else {
    for (let i = 0; i < n; i++) {
      const t = hourOf(i);
      if (t < min) min = t;
      if (t > max) max = t;
    }
  }
  const hours = (max - min) / HOUR_MS + 1;
  // Series in the order met; -1 for a series `include` leaves out.
  const keyIndex = new Map<string, number>();
  const keys: SeriesKey[] = [];
  const values: Float64Array[] = [];
  const seen: Uint8Array[] = [];
  const nk = keyCols.length;
  let prev = -1; // the series of the row before
  for (let i = 0; i < n; i++) {
    let s = prev;
    if (i === 0 || !sameKey(keyCols, nk, i)) {
      const id = rowSeriesId(keyCols, i);
      const known = keyIndex.get(id);
      if (known === undefined) {
        const key = keyAt(keyCols, i);
        if (key.some((v) => v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v)))) {
          throw new PipelineError("features", `${what} row ${i} has key ${describeKey(key, keyColumns)}; expected no null key (validate the data first)`);
        }
        if (include && !include(key)) {
          s = -1;
        } else {
          s = keys.length;
          keys.push(key);
          values.push(new Float64Array(hours).fill(NaN));
          seen.push(new Uint8Array(hours));
        }
        keyIndex.set(id, s);
      } else {
        s = known;
      }
      prev = s;
    }
    if (s < 0) continue;
    const t = grid ? hourOf(i) : time[i] instanceof Date ? (time[i] as Date).getTime() : Number(time[i]);
    const h = (t - min) / HOUR_MS;
    if (h < 0 || h >= hours) {
      throw new PipelineError(
        "features",
        `${what} row ${i} has datetime_utc ${formatInstant(t)}, outside its grid ${formatInstant(min)} .. ${formatInstant(max)}`,
      );
    }
    if (seen[s][h]) {
      throw new PipelineError(
        "features",
        `${what} has two rows for ${describeKey(keys[s], keyColumns)} at ${formatInstant(t)}; expected one row per series and hour (deduplicate first)`,
      );
    }
    seen[s][h] = 1;
    const v = value[i];
    values[s][h] = v === null || v === undefined ? NaN : Number(v);
  }
  const order = keys.map((_, i) => i).sort((x, y) => compareKeys(keys[x], keys[y]));
  return { start: min, hours, keyColumns, keys: order.map((s) => keys[s]), values: order.map((s) => values[s]) };
}

/** True when row `i`'s key values are those of row `i - 1` (the same series, without building its id). */
function sameKey(keyCols: ReadonlyArray<ArrayLike<unknown>>, nk: number, i: number): boolean {
  for (let k = 0; k < nk; k++) if (keyCols[k][i] !== keyCols[k][i - 1]) return false;
  return true;
}

/**
 * The panel up to and including the hour `end` (epoch ms). Views share memory with `panel`
 * unless `copy` is set; a backtest copies, so no model can reach past its origin through the
 * underlying buffer. Throws when `end` is before the panel's first hour.
 */
export function panelUntil(panel: Panel, end: number, copy = false): Panel {
  const hours = Math.min(panel.hours, Math.floor((end - panel.start) / HOUR_MS) + 1);
  if (hours <= 0) {
    throw new PipelineError("features", `cannot cut the history at ${formatInstant(end)}: it starts at ${formatInstant(panel.start)}; choose a later origin`);
  }
  return {
    start: panel.start,
    hours,
    keyColumns: panel.keyColumns,
    keys: panel.keys,
    values: panel.values.map((v) => (copy ? v.slice(0, hours) : v.subarray(0, hours))),
  };
}

/** Grid index of the last finite value of series `s`, or -1 when it has none. */
export function lastObserved(panel: Panel, s: number): number {
  const v = panel.values[s];
  for (let i = panel.hours - 1; i >= 0; i--) if (v[i] === v[i]) return i;
  return -1;
}

/** Hours from series `s`'s first finite value to the panel's end, inclusive (gaps included); 0 when it has none. */
export function observedSpan(panel: Panel, s: number): number {
  const v = panel.values[s];
  for (let i = 0; i < panel.hours; i++) if (v[i] === v[i]) return panel.hours - i;
  return 0;
}

/** The panel restricted to the series at `indices` (in that order); values are shared. */
export function panelSubset(panel: Panel, indices: readonly number[]): Panel {
  return { ...panel, keys: indices.map((s) => panel.keys[s]), values: indices.map((s) => panel.values[s]) };
}
