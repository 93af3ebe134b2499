/**
 * The value tracks the Forecasts page draws, on a shared hourly grid: a week of observations, the
 * latest forecast with its 80/95 % bounds, and earlier runs' point forecasts, for a set of series
 * and for sums over groups of series (the totals). Sums are taken over the stored values and
 * rounded once (`amount`); a baseline forecast without an interval adds its point forecast to the
 * bounds of a sum, as on the Overview, so the band stays around the total.
 */
import type { ColumnTable } from "arquero";
import { HOUR_MS } from "../../../src/pipeline/index.js";
import { amount, col } from "./store.js";

type Num = number | null;

/** The latest forecast of a track, by step (index 0: step 1). */
export interface ForecastTrack {
  p: Num[];
  l80: Num[];
  u80: Num[];
  l95: Num[];
  u95: Num[];
}

/** What is drawn for one series or one sum. */
export interface Track {
  /** Observations, hour `grid.start + i`. */
  obs: Num[];
  /** Null when the latest run forecast none of it (a stale series). */
  fc: ForecastTrack | null;
  /** Earlier runs' point forecasts: origin slot `o`, step `k` at `o * horizon + k`. */
  past: Num[];
}

/** The shared grid and runs of the page. */
export interface TrackShape {
  start: number;
  hours: number;
  horizon: number;
  /** Earlier origins drawn, in slot order. */
  origins: number[];
}

/** Sums under construction: raw totals and whether any value went in. */
interface Sums {
  obs: Float64Array;
  obsSeen: Uint8Array;
  fc: Float64Array[];
  fcSeen: Uint8Array;
  past: Float64Array;
  pastSeen: Uint8Array;
}

const BANDS = ["p", "l80", "u80", "l95", "u95"] as const;
const COLUMNS = ["prediction", "lower_80", "upper_80", "lower_95", "upper_95"] as const;

/**
 * Tracks for series (each row id to the track index it fills, -1 for none) and for sums (each
 * row id to the sums it adds to). Fill with {@link observe}, {@link latest} and {@link earlier}, in
 * any order, then take {@link seriesTracks} and {@link sumTracks}.
 */
export class TrackBuilder {
  private readonly series: Track[];
  private readonly sums: Sums[];
  private readonly slot: Map<number, number>;

  constructor(
    private readonly shape: TrackShape,
    seriesCount: number,
    sumCount: number,
    /** Track index of a series id, if it has one. */
    private readonly trackOf: (id: string) => number | undefined,
    /** Sums a series id adds to. */
    private readonly sumsOf: (id: string) => readonly number[],
  ) {
    const { hours, horizon, origins } = shape;
    const blank = (n: number) => new Array<Num>(n).fill(null);
    this.series = Array.from({ length: seriesCount }, () => ({ obs: blank(hours), fc: null, past: blank(origins.length * horizon) }));
    this.sums = Array.from({ length: sumCount }, () => ({
      obs: new Float64Array(hours),
      obsSeen: new Uint8Array(hours),
      fc: BANDS.map(() => new Float64Array(horizon)),
      fcSeen: new Uint8Array(horizon),
      past: new Float64Array(origins.length * horizon),
      pastSeen: new Uint8Array(origins.length * horizon),
    }));
    this.slot = new Map(origins.map((o, i) => [o, i]));
  }

  /** Observations of the week (rows of the feature store; `ids` their series ids). */
  observe(rows: ColumnTable, ids: string[]): void {
    const t = col(rows, "datetime_utc");
    const v = col<number | null>(rows, "energy_consumption");
    ids.forEach((id, i) => {
      const h = (t[i] - this.shape.start) / HOUR_MS;
      if (h < 0 || h >= this.shape.hours) return;
      const s = this.trackOf(id);
      if (s !== undefined) this.series[s].obs[h] = amount(v[i]);
      const value = v[i];
      if (value === null || !Number.isFinite(value)) return;
      for (const k of this.sumsOf(id)) {
        this.sums[k].obs[h] += value;
        this.sums[k].obsSeen[h] = 1;
      }
    });
  }

  /** The latest run's forecast rows. */
  latest(rows: ColumnTable, ids: string[]): void {
    const step = col(rows, "step");
    const values = COLUMNS.map((c) => col<number | null>(rows, c));
    const { horizon } = this.shape;
    ids.forEach((id, i) => {
      const k = step[i] - 1;
      if (k < 0 || k >= horizon) return;
      const s = this.trackOf(id);
      if (s !== undefined) {
        const fc = (this.series[s].fc ??= Object.fromEntries(BANDS.map((b) => [b, new Array<Num>(horizon).fill(null)])) as unknown as ForecastTrack);
        BANDS.forEach((b, j) => (fc[b][k] = amount(values[j][i])));
      }
      const p = values[0][i];
      if (p === null || !Number.isFinite(p)) return;
      for (const g of this.sumsOf(id)) {
        const sums = this.sums[g];
        BANDS.forEach((_, j) => {
          const v = values[j][i];
          sums.fc[j][k] += v !== null && Number.isFinite(v) ? v : p;
        });
        sums.fcSeen[k] = 1;
      }
    });
  }

  /** Earlier runs' forecast rows (only the origins of the shape are used). */
  earlier(rows: ColumnTable, ids: string[]): void {
    const origin = col(rows, "origin");
    const step = col(rows, "step");
    const p = col<number | null>(rows, "prediction");
    const { horizon } = this.shape;
    ids.forEach((id, i) => {
      const o = this.slot.get(origin[i]);
      if (o === undefined || step[i] > horizon) return;
      const at = o * horizon + step[i] - 1;
      const s = this.trackOf(id);
      if (s !== undefined) this.series[s].past[at] = amount(p[i]);
      const value = p[i];
      if (value === null || !Number.isFinite(value)) return;
      for (const g of this.sumsOf(id)) {
        this.sums[g].past[at] += value;
        this.sums[g].pastSeen[at] = 1;
      }
    });
  }

  /** The series' tracks, by track index. */
  seriesTracks(): Track[] {
    return this.series;
  }

  /** The sums' tracks, by sum index, rounded; an hour nothing went into is null. */
  sumTracks(): Track[] {
    const round = (values: Float64Array, seen: Uint8Array) => Array.from(values, (v, i) => (seen[i] ? amount(v) : null));
    return this.sums.map((s) => ({
      obs: round(s.obs, s.obsSeen),
      fc: s.fcSeen.some((x) => x === 1) ? (Object.fromEntries(BANDS.map((b, j) => [b, round(s.fc[j], s.fcSeen)])) as unknown as ForecastTrack) : null,
      past: round(s.past, s.pastSeen),
    }));
  }
}
