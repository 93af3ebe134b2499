import { PipelineError } from "../core/errors.js";
import { Rng } from "../models/gbm/prng.js";
import type { HolidaySet } from "../features/calendar.js";
import { dayKind, DayKind } from "../features/holidays.js";
import { DAY_MS, HOUR_MS, offsetAt, parseWallTime, wallToUtcCandidates } from "../time/index.js";

/**
 * A seeded synthetic long file as a utility's meter export writes it: one row per series and
 * hour, the series keyed by two string columns (`site`, `meter`), the hour as LOCAL wall-clock
 * time without an offset (`read_at`), the value in kWh (`kwh`). Local time is what makes such
 * files awkward, so the generator writes the two daylight-saving days as a correct exporter
 * does: on the spring-forward day the 02:00 hour is absent; on the fall-back day the 02:00 hour
 * appears twice, the earlier instant first (file order). The generic file source, the
 * benchmarks and the notebooks can all load it.
 */

/** Column names of the file (pass them as `--time read_at --keys site,meter --value kwh`). */
export const METER_COLUMNS = { time: "read_at", keys: ["site", "meter"], value: "kwh" } as const;

/** One series of the file and, optionally, when it starts or stops reporting (local wall times `yyyy-MM-dd HH:mm`). */
export interface MeterSeries {
  site: string;
  meter: string;
  /** First local hour it reports (default: the file's first hour). */
  from?: string;
  /** First local hour it no longer reports (default: after the file's last hour). */
  until?: string;
}

/** The default series: sites north and south, meters m-01..m-03 at each. */
export const DEFAULT_METERS: readonly MeterSeries[] = Object.freeze(
  ["north", "south"].flatMap((site) => ["m-01", "m-02", "m-03"].map((meter) => ({ site, meter }))),
);

/** Settings of {@link meterFile}. */
export interface MeterFileOptions {
  /** Series in the order their rows are written within an hour (default {@link DEFAULT_METERS}). */
  series?: readonly MeterSeries[];
  /** First local day, `yyyy-MM-dd` (default 2023-03-01: the period holds both 2023 changes). */
  from?: string;
  /** Local day after the last, `yyyy-MM-dd` (default 2023-11-16). */
  to?: string;
  /** IANA zone of the wall clock (default Europe/Copenhagen). */
  zone?: string;
  /** The holidays the series dip on (default DK; `none`: no holidays). */
  holidays?: HolidaySet;
  seed?: number;
  /** Standard deviation of the AR(1) multiplicative noise (default 0.03). */
  noise?: number;
  /**
   * Write the nonexistent spring-forward hour too, as a naive exporter that numbers every local
   * day 00..23 does (its value the mean of the hours around it). Default false.
   */
  naiveSpringHour?: boolean;
}

/** What {@link meterFile} wrote. */
export interface MeterFile {
  /** The CSV text: header `read_at,site,meter,kwh`, comma-separated, decimal point. */
  csv: string;
  rows: number;
  /** UTC hours `[start, end)` of the file (epoch ms). */
  start: number;
  end: number;
  /** Per series: rows written and the UTC hours `[first, last]` it reports. */
  series: Array<{ site: string; meter: string; rows: number; first: number; last: number }>;
  /** Rows on a wall hour written a second time (fall back), and rows on a wall hour that does not exist (naive spring hour). */
  dst: { repeated: number; nonexistent: number };
}

/**
 * Generates the file. Each series has a size (log-uniform 20..2,000 kWh), a daily profile by
 * local hour (an office: business hours; a home: a morning and an evening peak), a weekend
 * level, a dip on the holidays of `holidays` (default Danish public holidays), a seasonal swing (more in winter) and AR(1)
 * multiplicative noise. Values are generated for every UTC hour of the period, so a series'
 * values do not depend on when it starts or stops.
 */
export function meterFile(options: MeterFileOptions = {}): MeterFile {
  const zone = options.zone ?? "Europe/Copenhagen";
  const series = options.series ?? DEFAULT_METERS;
  const rng = new Rng(options.seed ?? 1);
  const rand = () => rng.nextFloat();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const noise = options.noise ?? 0.03;
  const start = localToUtc(zone, `${options.from ?? "2023-03-01"} 00:00`);
  const end = localToUtc(zone, `${options.to ?? "2023-11-16"} 00:00`);
  const hours = (end - start) / HOUR_MS;
  const walls = Array.from({ length: hours }, (_, t) => start + t * HOUR_MS + offsetAt(zone, start + t * HOUR_MS));

  const values = series.map((_, s) => {
    const size = 20 * 10 ** (2 * rand());
    const office = s % 2 === 0;
    const weekend = office ? 0.45 + 0.2 * rand() : 1.05 + 0.1 * rand();
    const holiday = office ? 0.4 + 0.2 * rand() : 1.1;
    const v = new Float64Array(hours);
    let ar = 0;
    for (let t = 0; t < hours; t++) {
      const day = Math.floor(walls[t] / DAY_MS);
      const hour = Math.floor((walls[t] - day * DAY_MS) / HOUR_MS);
      const weekday = (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday; Monday = 0
      const kind = dayKind(day, options.holidays ?? "DK");
      const daily = office ? (hour >= 7 && hour < 17 ? 1.7 : 0.6) : 0.7 + 0.5 * Math.exp(-((hour - 7) ** 2) / 4) + 0.8 * Math.exp(-((hour - 19) ** 2) / 6);
      const off = kind === DayKind.public || kind === DayKind.customary ? holiday : weekday >= 5 ? weekend : 1;
      const season = 1 + 0.25 * Math.cos(((day % 365.25) / 365.25) * 2 * Math.PI);
      ar = 0.8 * ar + noise * gauss();
      v[t] = size * daily * off * season * Math.exp(ar);
    }
    return v;
  });

  const spans = series.map((m) => ({
    first: m.from === undefined ? start : localToUtc(zone, m.from),
    until: m.until === undefined ? end : localToUtc(zone, m.until),
  }));
  const counts = series.map(() => 0);
  const lines = [`${METER_COLUMNS.time},${METER_COLUMNS.keys.join(",")},${METER_COLUMNS.value}`];
  const dst = { repeated: 0, nonexistent: 0 };
  const seenWall = new Set<number>();
  for (let t = 0; t < hours; t++) {
    const utc = start + t * HOUR_MS;
    const active = series.map((_, s) => spans[s].first <= utc && utc < spans[s].until);
    if (options.naiveSpringHour && t > 0 && walls[t] - walls[t - 1] === 2 * HOUR_MS) {
      // The hour the clock skipped, as a naive exporter writes it.
      series.forEach((m, s) => {
        if (!active[s]) return;
        lines.push(`${formatWall(walls[t] - HOUR_MS)},${m.site},${m.meter},${((values[s][t - 1] + values[s][t]) / 2).toFixed(3)}`);
        counts[s]++;
        dst.nonexistent++;
      });
    }
    const repeated = seenWall.has(walls[t]);
    seenWall.add(walls[t]);
    series.forEach((m, s) => {
      if (!active[s]) return;
      lines.push(`${formatWall(walls[t])},${m.site},${m.meter},${values[s][t].toFixed(3)}`);
      counts[s]++;
      if (repeated) dst.repeated++;
    });
  }
  return {
    csv: lines.join("\n") + "\n",
    rows: lines.length - 1,
    start,
    end,
    series: series.map((m, s) => ({
      site: m.site,
      meter: m.meter,
      rows: counts[s],
      first: Math.max(start, spans[s].first),
      last: Math.min(end, spans[s].until) - HOUR_MS,
    })),
    dst,
  };
}

/** The UTC instant of a local wall time (the earlier one on a repeated hour); throws on a nonexistent one. */
function localToUtc(zone: string, wall: string): number {
  const ms = parseWallTime(wall);
  const utc = wallToUtcCandidates(zone, ms)[0];
  if (Number.isNaN(ms) || utc === undefined)
    throw new PipelineError("backtest", `meterFile: "${wall}" is not an existing local time in ${zone}; give an existing yyyy-MM-dd HH:mm`);
  return utc;
}

/** Wall-clock ms (as if UTC) -> `yyyy-MM-dd HH:mm`. */
function formatWall(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}
