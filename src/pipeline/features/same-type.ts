import type { CalendarGrid } from "./calendar-grid.js";
import { SAME_TYPE_DAYS, sameTypeMeansOf, type FeatureSpec } from "./spec.js";

/** Hours a calendar must reach back before a target for {@link sameTypeValues} (one more for a daylight-saving shift). */
export const SAME_TYPE_REACH = 24 * SAME_TYPE_DAYS + 1;

/** Hours before a row the spec's same-type means read: {@link SAME_TYPE_REACH}, or 0 when it has none. */
export function sameTypeReach(spec: FeatureSpec): number {
  return sameTypeMeansOf(spec).length > 0 ? SAME_TYPE_REACH : 0;
}

/**
 * Collects into `out` (most recent first, at most `out.length`) the values of series `values` at
 * the same local hour as grid index `t` on earlier days of the same day type as t's, looking from
 * `minDay` to {@link SAME_TYPE_DAYS} days back and reading only indices below `end` (the known
 * values). Returns how many it found. Missing values are skipped. The same local hour, not the
 * same UTC hour: across a daylight-saving change the source hour moves by one.
 *
 * Why: a working day is best predicted by the recent working days at that hour, a Sunday or a
 * holiday by the recent Sundays and holidays; averaging several such days cancels their noise,
 * which the single value of a week before (seasonal naive 168 h) keeps.
 */
export function sameTypeValues(cal: CalendarGrid, values: ArrayLike<number>, t: number, minDay: number, end: number, out: Float64Array): number {
  const c = t - cal.from;
  const type = cal.type[c];
  const hour = cal.hour[c];
  let found = 0;
  for (let d = minDay; d <= SAME_TYPE_DAYS && found < out.length; d++) {
    let i = t - 24 * d;
    let shift = hour - cal.hour[i - cal.from];
    if (shift > 12) shift -= 24;
    else if (shift < -12) shift += 24;
    i += shift;
    if (i < 0) break;
    if (i >= end || cal.type[i - cal.from] !== type) continue;
    const v = values[i];
    if (v === v) out[found++] = v;
  }
  return found;
}

/**
 * The mean of the values {@link sameTypeValues} finds for grid index `t` (at most `buffer.length`
 * of them, which it overwrites); NaN when none is found.
 */
export function sameTypeMean(cal: CalendarGrid, values: ArrayLike<number>, t: number, minDay: number, end: number, buffer: Float64Array): number {
  const k = sameTypeValues(cal, values, t, minDay, end, buffer);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += buffer[j];
  return k > 0 ? sum / k : NaN;
}
