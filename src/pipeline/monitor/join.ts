import type { ColumnTable } from "arquero";

/**
 * Pairs every stored forecast with the ground truth that has arrived for its target hour.
 * `history` holds forecasts (area, consumer_type, datetime_utc, origin, step, prediction, bounds,
 * model, model_version); `actuals` the feature rows (datetime_utc, area, consumer_type,
 * energy_consumption). Forecasts whose hour has no truth yet are left out.
 * Adds `y` (the truth), `ape` (|y - yhat| / |y|), `spe` (squared percentage error), `in_80` and
 * `in_95` (1 inside the interval, 0 outside, null without interval); errors are null when y is 0.
 */
export function joinActuals(history: ColumnTable, actuals: ColumnTable): ColumnTable {
  // A hash lookup on the numeric keys rather than a generic join: the history grows with every
  // run and is scored at every tick.
  const truth = truthLookup(actuals);
  const areas = history.array("area") as ArrayLike<number>;
  const types = history.array("consumer_type") as ArrayLike<number>;
  const hours = history.array("datetime_utc") as ArrayLike<number>;
  const n = history.numRows();
  const y: Array<number | null> = new Array(n);
  for (let i = 0; i < n; i++) y[i] = truth.get(seriesKey(areas[i], types[i]))?.get(hours[i]) ?? null;
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
  return history
    .reify(keep)
    .assign({ y: pick(y), ape: pick(ape), spe: pick(spe), in_80: pick(in80), in_95: pick(in95) });
}

/** A series' key as one number, unique for every int8 area code and int32 consumer type in range. */
function seriesKey(area: number, consumerType: number): number {
  return consumerType * 1024 + area;
}

/** series -> hour -> observed consumption. */
function truthLookup(actuals: ColumnTable): Map<number, Map<number, number | null>> {
  const areas = actuals.array("area") as ArrayLike<number>;
  const types = actuals.array("consumer_type") as ArrayLike<number>;
  const hours = actuals.array("datetime_utc") as ArrayLike<number>;
  const values = actuals.array("energy_consumption") as ArrayLike<number | null>;
  const lookup = new Map<number, Map<number, number | null>>();
  for (let i = 0; i < hours.length; i++) {
    const key = seriesKey(areas[i], types[i]);
    let series = lookup.get(key);
    if (series === undefined) lookup.set(key, (series = new Map()));
    series.set(hours[i], values[i]);
  }
  return lookup;
}

/** Truth rows (datetime_utc, area, consumer_type, energy_consumption) for the hours forecasts cover. */
export function actualsForForecasts(history: ColumnTable, actuals: ColumnTable): ColumnTable {
  const hours = history.select("area", "consumer_type", "datetime_utc").dedupe();
  return actuals
    .select("datetime_utc", "area", "consumer_type", "energy_consumption")
    .semijoin(hours, [["area", "consumer_type", "datetime_utc"], ["area", "consumer_type", "datetime_utc"]])
    .orderby("area", "consumer_type", "datetime_utc");
}
