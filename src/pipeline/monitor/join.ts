import type { ColumnTable } from "arquero";
import { TIME_COLUMN, VALUE_COLUMN } from "../dataset/spec.js";
import { rowSeriesIds } from "../series/key.js";

/**
 * Pairs every stored forecast with the ground truth that has arrived for its target hour.
 * `history` holds forecasts (key columns, datetime_utc, origin, step, prediction, bounds, model,
 * model_version); `actuals` the feature rows (datetime_utc, key columns, energy_consumption);
 * `keys` names the key columns. Forecasts whose hour has no truth yet are left out.
 * Adds `y` (the truth), `ape` (|y - yhat| / |y|), `spe` (squared percentage error), `in_80` and
 * `in_95` (1 inside the interval, 0 outside, null without interval); errors are null when y is 0.
 */
export function joinActuals(filtered: ColumnTable, actuals: ColumnTable, keys: readonly string[]): ColumnTable {
  // Row positions below are positions in the table as its arrays list it, while `reify(keep)`
  // takes positions in the underlying data: a filtered or ordered view (a day's rows filtered
  // from origin files) is materialised first, or the kept rows would be other rows.
  const history = filtered.isFiltered() || filtered.isOrdered() ? filtered.reify() : filtered;
  // A hash lookup rather than a generic join: the history grows with every run and is scored at
  // every tick.
  const truth = truthLookup(actuals, keys);
  const n = history.numRows();
  const ids = rowSeriesIds(
    keys.map((k) => history.array(k) as ArrayLike<unknown>),
    n,
  );
  const hours = history.array(TIME_COLUMN) as ArrayLike<number>;
  const y: Array<number | null> = new Array(n);
  for (let i = 0; i < n; i++) y[i] = truth.get(ids[i])?.get(hours[i]) ?? null;
  const p = history.array("prediction") as ArrayLike<number>;
  const lo80 = history.array("lower_80") as ArrayLike<number>;
  const hi80 = history.array("upper_80") as ArrayLike<number>;
  const lo95 = history.array("lower_95") as ArrayLike<number>;
  const hi95 = history.array("upper_95") as ArrayLike<number>;
  const ape: Array<number | null> = new Array(n);
  const spe: Array<number | null> = new Array(n);
  const in80: Array<number | null> = new Array(n);
  const in95: Array<number | null> = new Array(n);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v === null || v === undefined || Number.isNaN(v)) continue;
    keep.push(i);
    const rel = v === 0 ? null : (v - p[i]) / v;
    ape[i] = rel === null ? null : Math.abs(rel);
    spe[i] = rel === null ? null : rel * rel;
    in80[i] = Number.isNaN(lo80[i]) || lo80[i] === null ? null : v >= lo80[i] && v <= hi80[i] ? 1 : 0;
    in95[i] = Number.isNaN(lo95[i]) || lo95[i] === null ? null : v >= lo95[i] && v <= hi95[i] ? 1 : 0;
  }
  const pick = <T>(a: T[]) => keep.map((i) => a[i]);
  return history.reify(keep).assign({ y: pick(y), ape: pick(ape), spe: pick(spe), in_80: pick(in80), in_95: pick(in95) });
}

/** series id -> hour -> observed consumption. */
function truthLookup(actuals: ColumnTable, keys: readonly string[]): Map<string, Map<number, number | null>> {
  const n = actuals.numRows();
  const ids = rowSeriesIds(
    keys.map((k) => actuals.array(k) as ArrayLike<unknown>),
    n,
  );
  const hours = actuals.array(TIME_COLUMN) as ArrayLike<number>;
  const values = actuals.array(VALUE_COLUMN) as ArrayLike<number | null>;
  const lookup = new Map<string, Map<number, number | null>>();
  for (let i = 0; i < n; i++) {
    let series = lookup.get(ids[i]);
    if (series === undefined) lookup.set(ids[i], (series = new Map()));
    series.set(hours[i], values[i]);
  }
  return lookup;
}

/** Truth rows (datetime_utc, key columns, energy_consumption) for the hours forecasts cover. */
export function actualsForForecasts(history: ColumnTable, actuals: ColumnTable, keys: readonly string[]): ColumnTable {
  const on = [...keys, TIME_COLUMN];
  const hours = history.select(...on).dedupe();
  return actuals
    .select(TIME_COLUMN, ...keys, VALUE_COLUMN)
    .semijoin(hours, [on, on])
    .orderby(...on);
}
