import { HOUR_MS } from "../time/index.js";
import { localHour, type CalendarSpec } from "./calendar.js";
import { dayKind, DayKind } from "./holidays.js";

/**
 * Local hour, weekday, day kind and day type for a range of grid indices, computed once per panel so the
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
  /** {@link dayType} of each hour's local date. */
  type: Int8Array;
}

/**
 * The day type load forecasters use, ordered by how much business rests: 0 ordinary working day,
 * 1 working day of Christmas week, 2 Saturday or customary day off, 3 Sunday or public holiday.
 * Pooling holidays with Sundays gives the rare holidays the many Sundays' examples.
 */
export function dayType(weekday: number, kind: number): number {
  if (kind === DayKind.public || weekday === 6) return 3;
  if (kind === DayKind.customary || weekday === 5) return 2;
  return kind === DayKind.christmasWeek ? 1 : 0;
}

/** Calendar facts of grid indices `[from, to)` of a grid starting at epoch ms `start`, on `calendar`. */
export function calendarGrid(start: number, from: number, to: number, calendar: CalendarSpec): CalendarGrid {
  const n = Math.max(0, to - from);
  const hour = new Int8Array(n);
  const weekday = new Int8Array(n);
  const kind = new Int8Array(n);
  const type = new Int8Array(n);
  const kinds = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const l = localHour(start + (from + i) * HOUR_MS, calendar);
    hour[i] = l.hour;
    weekday[i] = l.weekday;
    let k = kinds.get(l.day);
    if (k === undefined) {
      k = dayKind(l.day, calendar.holidays);
      kinds.set(l.day, k);
    }
    kind[i] = k;
    type[i] = dayType(l.weekday, k);
  }
  return { from, to, hour, weekday, kind, type };
}
