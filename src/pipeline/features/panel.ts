import type { ColumnTable } from "arquero";
import { PipelineError } from "../core/errors.js";
import { formatInstant, HOUR_MS } from "../config/time.js";

/** Identity of one series: a (price area code, consumer type code) pair. */
export interface SeriesKey {
  area: number;
  consumerType: number;
}

/**
 * Many hourly series on one shared time grid: the in-memory form every model and the feature
 * builder work on. `values[s][i]` is series `s` at `start + i` hours; a missing hour is NaN.
 * Series are sorted by (area, consumer type) so their order never depends on input row order.
 */
export interface Panel {
  /** Epoch ms of the first hour. */
  start: number;
  /** Number of hours on the grid (every `values[s]` has this length). */
  hours: number;
  keys: SeriesKey[];
  values: Float64Array[];
}

/** Epoch ms of the last hour of the panel (the forecast origin when forecasting after it). */
export function panelEnd(panel: Panel): number {
  return panel.start + (panel.hours - 1) * HOUR_MS;
}

/** `area:consumer_type`, the map key of a series. */
export function seriesId(key: SeriesKey): string {
  return `${key.area}:${key.consumerType}`;
}

/**
 * Builds a panel from a canonical table (`datetime_utc` epoch ms, `area`, `consumer_type`,
 * `energy_consumption`). Rows may come in any order; hours a series lacks become NaN, as do null
 * values. Throws on a timestamp off the hour grid or a duplicate (series, hour), which would
 * otherwise be silently averaged or overwritten.
 */
export function panelFromTable(table: ColumnTable, what = "history"): Panel {
  const n = table.numRows();
  if (n === 0) throw new PipelineError("features", `${what} is empty; expected hourly rows of datetime_utc, area, consumer_type, energy_consumption`);
  for (const c of ["datetime_utc", "area", "consumer_type", "energy_consumption"]) {
    if (!table.columnNames().includes(c)) {
      throw new PipelineError("features", `${what} lacks column "${c}"; expected the canonical columns datetime_utc, area, consumer_type, energy_consumption (found ${table.columnNames().join(", ")})`);
    }
  }
  const time = table.array("datetime_utc") as ArrayLike<unknown>;
  const area = table.array("area") as ArrayLike<unknown>;
  const consumer = table.array("consumer_type") as ArrayLike<unknown>;
  const value = table.array("energy_consumption") as ArrayLike<unknown>;
  let min = Infinity;
  let max = -Infinity;
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const raw = time[i];
    const t = raw instanceof Date ? raw.getTime() : Number(raw);
    if (!Number.isFinite(t) || t % HOUR_MS !== 0) {
      throw new PipelineError("features", `${what} row ${i} has datetime_utc ${String(raw)}; expected epoch ms on a whole UTC hour`);
    }
    ts[i] = t;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const keyIndex = new Map<string, number>();
  const keys: SeriesKey[] = [];
  const rowSeries = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = Number(area[i]);
    const c = Number(consumer[i]);
    if (area[i] === null || consumer[i] === null || !Number.isFinite(a) || !Number.isFinite(c)) {
      throw new PipelineError("features", `${what} row ${i} has area ${String(area[i])}, consumer_type ${String(consumer[i])}; expected integer codes (validate the data first)`);
    }
    const id = `${a}:${c}`;
    let s = keyIndex.get(id);
    if (s === undefined) {
      s = keys.length;
      keyIndex.set(id, s);
      keys.push({ area: a, consumerType: c });
    }
    rowSeries[i] = s;
  }
  const order = keys.map((_, i) => i).sort((x, y) => keys[x].area - keys[y].area || keys[x].consumerType - keys[y].consumerType);
  const rank = new Int32Array(keys.length);
  order.forEach((s, r) => (rank[s] = r));
  const hours = (max - min) / HOUR_MS + 1;
  const values = order.map(() => new Float64Array(hours).fill(NaN));
  const seen = order.map(() => new Uint8Array(hours));
  for (let i = 0; i < n; i++) {
    const s = rank[rowSeries[i]];
    const h = (ts[i] - min) / HOUR_MS;
    if (seen[s][h]) {
      const k = keys[rowSeries[i]];
      throw new PipelineError("features", `${what} has two rows for area ${k.area}, consumer_type ${k.consumerType} at ${formatInstant(ts[i])}; expected one row per series and hour (deduplicate first)`);
    }
    seen[s][h] = 1;
    const v = value[i];
    values[s][h] = v === null || v === undefined ? NaN : Number(v);
  }
  return { start: min, hours, keys: order.map((s) => keys[s]), values };
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
  return { start: panel.start, hours, keys: panel.keys, values: panel.values.map((v) => (copy ? v.slice(0, hours) : v.subarray(0, hours))) };
}
