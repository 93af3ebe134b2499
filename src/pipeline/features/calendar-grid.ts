import { HOUR_MS } from "../config/time.js";
import { localHour } from "./calendar.js";
import { dayKind } from "./holidays.js";

/**
 * Local hour, weekday and day kind for a range of grid indices, computed once per panel so the
 * per-row feature code does array reads instead of date arithmetic.
 */
export interface CalendarGrid {
  /** Grid index of the first entry (may be negative: day kinds of lagged hours). */
  from: number;
  /** One past the last grid index covered. */
  to: number;
  hour: Int8Array;
  weekday: Int8Array;
  kind: Int8Array;
}

/** Calendar facts of grid indices `[from, to)` of a grid starting at epoch ms `start`. */
export function calendarGrid(start: number, from: number, to: number): CalendarGrid {
  const n = Math.max(0, to - from);
  const hour = new Int8Array(n);
  const weekday = new Int8Array(n);
  const kind = new Int8Array(n);
  const kinds = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const l = localHour(start + (from + i) * HOUR_MS);
    hour[i] = l.hour;
    weekday[i] = l.weekday;
    let k = kinds.get(l.day);
    if (k === undefined) {
      k = dayKind(l.day);
      kinds.set(l.day, k);
    }
    kind[i] = k;
  }
  return { from, to, hour, weekday, kind };
}
