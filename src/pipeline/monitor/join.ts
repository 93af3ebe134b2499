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
  const truth = actuals
    .select("area", "consumer_type", "datetime_utc", "energy_consumption")
    .rename({ energy_consumption: "y" });
  const keys = ["area", "consumer_type", "datetime_utc"];
  const joined = history.join(truth, [keys, keys]);
  const n = joined.numRows();
  const y = joined.array("y") as ArrayLike<number | null>;
  const p = joined.array("prediction") as ArrayLike<number>;
  const lo80 = joined.array("lower_80") as ArrayLike<number>;
  const hi80 = joined.array("upper_80") as ArrayLike<number>;
  const lo95 = joined.array("lower_95") as ArrayLike<number>;
  const hi95 = joined.array("upper_95") as ArrayLike<number>;
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
  return joined
    .reify(keep)
    .assign({ ape: pick(ape), spe: pick(spe), in_80: pick(in80), in_95: pick(in95) });
}

/** Truth rows (datetime_utc, area, consumer_type, energy_consumption) for the hours forecasts cover. */
export function actualsForForecasts(history: ColumnTable, actuals: ColumnTable): ColumnTable {
  const hours = history.select("area", "consumer_type", "datetime_utc").dedupe();
  return actuals
    .select("datetime_utc", "area", "consumer_type", "energy_consumption")
    .semijoin(hours, [["area", "consumer_type", "datetime_utc"], ["area", "consumer_type", "datetime_utc"]])
    .orderby("area", "consumer_type", "datetime_utc");
}
