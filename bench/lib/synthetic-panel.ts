/**
 * A seeded synthetic panel for width experiments (many series, few weeks): what a utility's
 * meters or a municipality x category dataset look like, with the kinds of series that a sample
 * of series could miss. Benches and tests both import it.
 *
 * - Keys: `region` (int32, 1..98, like municipality numbers) and `meter` (text, `M0000042`).
 * - Size: log-uniform over five orders of magnitude, 0.3 kWh to 30 MWh per hour.
 * - Kinds of series, whose mix depends on size (small: mostly homes; large: mostly industry):
 *   homes (a morning and an evening peak, later mornings at weekends), shops and offices
 *   (opening hours, closed or shorter on Saturdays, closed on Sundays and holidays), industry
 *   (one, two or three shifts, reduced at weekends and on holidays) and night loads (electric
 *   heating or charging, highest at night, following the weather strongly).
 * - Daily and weekly cycles in Danish local time (daylight saving included); Danish public
 *   holidays and customary days off behave like Sundays, the Christmas week like a short week.
 * - A weather-like factor shared by the series of a region (slow hourly AR(1)) with a per-series
 *   sensitivity, and per-series AR(1) multiplicative noise whose size falls with the series'
 *   size (a home is far noisier hour to hour than a town).
 * - A few series (3 %) change level once (a new tenant, a new machine).
 *
 * Deterministic: series `i` depends only on the seed and `i` (its own generator), never on how
 * many series are generated, so a panel of N + 1 series holds the N series of the smaller one.
 */
import { DANISH_CALENDAR, localHour } from "../../src/pipeline/features/calendar.js";
import { dayKind, DayKind } from "../../src/pipeline/features/holidays.js";
import type { Panel } from "../../src/pipeline/features/panel.js";
import { deriveSeed, Rng } from "../../src/pipeline/models/gbm/prng.js";
import { compareKeys, type KeyColumn, type SeriesKey } from "../../src/pipeline/series/key.js";
import { HOUR_MS } from "../../src/pipeline/time/index.js";

/** Key columns of {@link widthPanel}. */
export const WIDTH_KEYS: readonly KeyColumn[] = [
  { name: "region", type: "int32" },
  { name: "meter", type: "utf8" },
];

/** Number of regions (`region` 1..REGIONS). */
export const REGIONS = 98;

/** The kinds of series the generator draws. */
export const SERIES_KINDS = ["home", "shop-office", "industry", "night"] as const;
export type SeriesKind = (typeof SERIES_KINDS)[number];

/** Settings of {@link widthPanel}. */
export interface WidthPanelOptions {
  /** Number of series. */
  series: number;
  /** Epoch ms of the first hour (default 2023-04-24T00:00Z, a Monday: Great Prayer Day and Ascension Day fall inside 27 days). */
  start?: number;
  /** Days of hourly values (default 27). */
  days?: number;
  /** Seed (default 42). */
  seed?: number;
}

/** What each series is, beside its values (for tests and per-kind error tables). */
export interface WidthSeriesInfo {
  key: SeriesKey;
  kind: SeriesKind;
  /** Mean level, kWh per hour. */
  size: number;
  /** Standard deviation of the log noise. */
  noise: number;
}

/** A panel and what its series are (`info[s]` describes `panel.keys[s]`). */
export interface WidthPanel {
  panel: Panel;
  info: WidthSeriesInfo[];
}

/** Default first hour: Monday 2023-04-24T00:00Z. */
export const WIDTH_START = Date.UTC(2023, 3, 24);

const MIN_LOG_SIZE = -0.5;
const MAX_LOG_SIZE = 4.5;

/** Hour-of-day profiles of a series for the three day types: working day, Saturday, Sunday or holiday (24 values each). */
type Profiles = Float64Array;

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const bump = (h: number, at: number, width: number) => Math.exp(-((h - at) ** 2) / (2 * width * width));

/** Draws a series' kind from its position on the size scale (0 smallest, 1 largest). */
function drawKind(u: number, rand: () => number): SeriesKind {
  const w = [0.05 + (1 - u) ** 2, 0.1 + 0.6 * (1 - Math.abs(2 * u - 1)), 0.05 + u ** 2, 0.12];
  let x = rand() * w.reduce((a, b) => a + b, 0);
  for (let k = 0; k < w.length; k++) {
    x -= w[k];
    if (x < 0) return SERIES_KINDS[k];
  }
  return SERIES_KINDS[w.length - 1];
}

/** The three day-type profiles of a series of `kind` (mean about 1 over a week). */
function drawProfiles(kind: SeriesKind, rand: () => number): Profiles {
  const p = new Float64Array(72);
  const set = (type: number, f: (h: number) => number) => {
    for (let h = 0; h < 24; h++) p[type * 24 + h] = f(h + 0.5);
  };
  switch (kind) {
    case "home": {
      const base = 0.45 + 0.2 * rand();
      const morning = 0.3 + 0.5 * rand();
      const evening = 0.6 + 0.8 * rand();
      const eveningAt = 17.5 + 2.5 * rand();
      const weekendLift = 1.05 + 0.15 * rand();
      set(0, (h) => base + morning * bump(h, 7, 1.2) + evening * bump(h, eveningAt, 2));
      set(1, (h) => weekendLift * (base + 0.8 * morning * bump(h, 9.5, 2) + 0.3 * bump(h, 13, 3) + evening * bump(h, eveningAt, 2)));
      set(2, (h) => weekendLift * (base + 0.8 * morning * bump(h, 10, 2) + 0.3 * bump(h, 13, 3) + evening * bump(h, eveningAt - 0.5, 2)));
      break;
    }
    case "shop-office": {
      const opens = 6 + Math.floor(3 * rand());
      const shop = rand() < 0.4;
      const closes = shop ? 18 + Math.floor(3 * rand()) : 16 + Math.floor(2 * rand());
      const base = 0.25 + 0.3 * rand();
      const open = 1.4 + 0.8 * rand();
      const ramp = (h: number, from: number, to: number) => base + (open - base) * (h >= from && h < to ? 1 : h >= from - 1 && h < from ? 0.5 : 0);
      set(0, (h) => ramp(h, opens, closes));
      set(1, shop ? (h) => ramp(h, opens + 2, 16) : () => base * (0.9 + 0.1 * rand()));
      set(2, () => base * 0.9);
      break;
    }
    case "industry": {
      const shifts = 1 + Math.floor(3 * rand());
      const base = 0.35 + 0.3 * rand();
      const run = 1.1 + 0.5 * rand();
      const weekend = 0.3 + 0.6 * rand();
      const on = (h: number) => (shifts === 3 ? true : shifts === 2 ? h >= 6 && h < 22 : h >= 6 && h < 14);
      set(0, (h) => (on(h) ? run : base));
      set(1, (h) => base + weekend * ((on(h) ? run : base) - base));
      set(2, (h) => base + 0.6 * weekend * ((on(h) ? run : base) - base));
      break;
    }
    case "night": {
      const day = 0.5 + 0.3 * rand();
      const night = 1.3 + 0.8 * rand();
      const f = (h: number) => day + (night - day) * Math.max(bump(h, 2, 3), bump(h, 26, 3));
      set(0, f);
      set(1, f);
      set(2, f);
      break;
    }
  }
  let mean = 0;
  for (let i = 0; i < 72; i++) mean += p[i] * (i < 24 ? 5 : 1);
  mean /= 24 * 7;
  for (let i = 0; i < 72; i++) p[i] /= mean;
  return p;
}

/**
 * Generates the panel. Generation takes about 0.1 s per million values; memory is one
 * Float64Array per series (8 bytes x 24 x days each).
 */
export function widthPanel(o: WidthPanelOptions): WidthPanel {
  const seed = o.seed ?? 42;
  const start = o.start ?? WIDTH_START;
  const hours = 24 * (o.days ?? 27);
  // Calendar of each hour: local hour, day type (0 working day, 1 Saturday, 2 Sunday or a day off), Christmas week.
  const hourOf = new Uint8Array(hours);
  const typeOf = new Uint8Array(hours);
  const xmas = new Uint8Array(hours);
  for (let t = 0; t < hours; t++) {
    const l = localHour(start + t * HOUR_MS, DANISH_CALENDAR);
    const kind = dayKind(l.day, DANISH_CALENDAR.holidays);
    hourOf[t] = l.hour;
    typeOf[t] = kind === DayKind.public || kind === DayKind.customary || l.weekday === 6 ? 2 : l.weekday === 5 ? 1 : 0;
    xmas[t] = kind === DayKind.christmasWeek ? 1 : 0;
  }
  // The weather of each region: a slow AR(1) on the log scale, standard deviation about 0.08.
  const weather = Array.from({ length: REGIONS }, (_, r) => {
    const rng = new Rng(deriveSeed(seed, 1_000_000_000 + r));
    const rand = () => rng.nextFloat();
    const w = new Float64Array(hours);
    let x = 0.08 * gaussian(rand);
    for (let t = 0; t < hours; t++) {
      x = 0.99 * x + 0.0113 * gaussian(rand);
      w[t] = x;
    }
    return w;
  });
  const made: Array<{ info: WidthSeriesInfo; values: Float64Array }> = [];
  for (let i = 0; i < o.series; i++) {
    const rng = new Rng(deriveSeed(seed, i));
    const rand = () => rng.nextFloat();
    const u = rand();
    const size = 10 ** (MIN_LOG_SIZE + (MAX_LOG_SIZE - MIN_LOG_SIZE) * u);
    const kind = drawKind(u, rand);
    const profiles = drawProfiles(kind, rand);
    const region = 1 + Math.floor(REGIONS * rand());
    const sensitivity = kind === "night" ? 1 + rand() : 0.5 * rand();
    const noise = 0.25 * size ** -0.1 * (0.8 + 0.4 * rand());
    const phi = 0.6 + 0.3 * rand();
    const innovation = noise * Math.sqrt(1 - phi * phi);
    const xmasLevel = kind === "industry" ? 0.5 + 0.3 * rand() : kind === "shop-office" ? 0.8 : 1;
    const shiftAt = rand() < 0.03 ? Math.floor(hours * rand()) : hours;
    const shiftTo = 0.6 + 0.8 * rand();
    const w = weather[region - 1];
    const v = new Float64Array(hours);
    let ar = noise * gaussian(rand);
    for (let t = 0; t < hours; t++) {
      ar = phi * ar + innovation * gaussian(rand);
      const level = (xmas[t] ? xmasLevel : 1) * (t >= shiftAt ? shiftTo : 1);
      v[t] = size * level * profiles[typeOf[t] * 24 + hourOf[t]] * Math.exp(ar + sensitivity * w[t]);
    }
    made.push({ info: { key: [region, `M${String(i).padStart(7, "0")}`], kind, size, noise }, values: v });
  }
  made.sort((a, b) => compareKeys(a.info.key, b.info.key));
  return {
    panel: { start, hours, keyColumns: WIDTH_KEYS, keys: made.map((m) => m.info.key), values: made.map((m) => m.values) },
    info: made.map((m) => m.info),
  };
}
