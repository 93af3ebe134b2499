import { HOUR_MS } from "../time/index.js";
import { Rng } from "../models/gbm/prng.js";
import { DANISH_CALENDAR, localHour } from "../features/calendar.js";
import { dayKind, DayKind } from "../features/holidays.js";
import type { Panel, SeriesKey } from "../features/panel.js";
import type { KeyColumn } from "../series/key.js";

/** Settings of {@link syntheticPanel}. */
export interface SyntheticOptions {
  series: number;
  hours: number;
  /** Epoch ms of the first hour (default 2022-10-01T00:00Z, so 90 days span Christmas). */
  start?: number;
  seed?: number;
  /** Standard deviation of the multiplicative noise (default 0.03). */
  noise?: number;
}

/** A seeded generator of floats in [0, 1) (the learner's mulberry32). */
function mulberry32(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.nextFloat();
}

/** Key columns of synthetic panels: DE35-like area and consumer type. */
export const SYNTHETIC_KEYS: readonly KeyColumn[] = [
  { name: "area", type: "int8" },
  { name: "consumer_type", type: "int32" },
];

/**
 * A seeded panel that looks like the consumption data: each series has a size (log-uniform over
 * four orders of magnitude), a daily profile (business hours or flat), a weekend dip and a
 * holiday dip (Danish calendar), a slow level drift, and AR(1) multiplicative noise. Keys are
 * 3 areas x consumer codes 1, 2, ... so any number of series gets unique keys.
 */
export function syntheticPanel(o: SyntheticOptions): Panel {
  const rand = mulberry32(o.seed ?? 1);
  const start = o.start ?? Date.UTC(2022, 9, 1);
  const noise = o.noise ?? 0.03;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const cal = Array.from({ length: o.hours }, (_, t) => {
    const l = localHour(start + t * HOUR_MS, DANISH_CALENDAR);
    return { hour: l.hour, weekend: l.weekday >= 5, kind: dayKind(l.day, DANISH_CALENDAR.holidays) };
  });
  const keys: SeriesKey[] = [];
  const values: Float64Array[] = [];
  for (let s = 0; s < o.series; s++) {
    keys.push([s % 3, Math.floor(s / 3) + 1]);
    const size = 10 ** (2 + 4 * rand());
    const business = rand() < 0.6;
    const weekendDip = business ? 0.4 + 0.4 * rand() : 0.9 + 0.1 * rand();
    const holidayDip = business ? 0.3 + 0.4 * rand() : 0.85 + 0.15 * rand();
    const drift = (rand() - 0.5) * 0.002;
    const v = new Float64Array(o.hours);
    let ar = 0;
    for (let t = 0; t < o.hours; t++) {
      const c = cal[t];
      const daily = business ? (c.hour >= 7 && c.hour < 17 ? 1.6 : 0.7) : 1 + 0.25 * Math.sin(((c.hour - 6) / 24) * 2 * Math.PI);
      const off = c.kind === DayKind.public || c.kind === DayKind.customary ? holidayDip : c.kind === DayKind.christmasWeek ? (1 + holidayDip) / 2 : 1;
      ar = 0.8 * ar + noise * gauss();
      v[t] = size * (1 + (drift * t) / 24) * daily * (c.weekend ? weekendDip : 1) * off * Math.exp(ar);
    }
    values.push(v);
  }
  return { start, hours: o.hours, keyColumns: SYNTHETIC_KEYS, keys, values };
}
