/**
 * Batches cut from the genuine DE35 file (76 series x 583 hours, 2022-12-21T16 .. 2023-01-14T22 UTC)
 * by series, as API-layout CSV files an `--source file:` ingest reads, and the feature rows each
 * batch must leave in a store: so a test can start many writers, each with rows nobody else
 * writes, and check afterwards that the store holds exactly the union of the batches that were
 * committed (no row lost, none invented).
 */
import { readFileSync } from "node:fs";
import { DE35_CSV } from "./eds-server.js";

/** One series of the file: price area and DE35 consumer type, as the CSV spells them. */
export interface De35Series {
  area: string;
  consumerType: number;
}

/** The de35 preset's codes of the price areas (the feature store's `area` column). */
const AREA_CODES: Record<string, number> = { DK: 0, DK1: 1, DK2: 2 };

interface Parsed {
  header: string;
  lines: string[];
  series: De35Series[];
  /** Per line: index into `series`, and the hour in UTC ms. */
  seriesOf: number[];
  hourOf: number[];
  valueOf: number[];
}

let parsed: Parsed | undefined;

function load(): Parsed {
  if (parsed) return parsed;
  const all = readFileSync(DE35_CSV, "utf8")
    .split(/\r?\n/)
    .filter((l) => l !== "");
  const series: De35Series[] = [];
  const index = new Map<string, number>();
  const seriesOf: number[] = [];
  const hourOf: number[] = [];
  const valueOf: number[] = [];
  const lines = all.slice(1);
  for (const line of lines) {
    const [hourUtc, , area, consumerType, value] = line.split(";");
    const id = `${area};${consumerType}`;
    let i = index.get(id);
    if (i === undefined) {
      i = series.length;
      index.set(id, i);
      series.push({ area, consumerType: Number(consumerType) });
    }
    seriesOf.push(i);
    hourOf.push(Date.parse(`${hourUtc}Z`));
    valueOf.push(Number(value));
  }
  parsed = { header: all[0], lines, series, seriesOf, hourOf, valueOf };
  return parsed;
}

/** The file's series, in the order they first appear. */
export function de35Series(): De35Series[] {
  return load().series;
}

/** Hours [from, before) in UTC ms; default: all. */
export interface HourRange {
  from?: number;
  before?: number;
}

/** The lines of the series `indices` (into {@link de35Series}) with an hour in `hours`. */
function selected(indices: readonly number[], { from = -Infinity, before = Infinity }: HourRange): number[] {
  const p = load();
  const wanted = new Set(indices);
  const out: number[] = [];
  for (let i = 0; i < p.lines.length; i++) if (wanted.has(p.seriesOf[i]) && p.hourOf[i] >= from && p.hourOf[i] < before) out.push(i);
  return out;
}

/** An API-layout CSV (the original header, `;`-separated) holding only the series `indices`, hours in `hours`. */
export function de35Csv(indices: readonly number[], hours: HourRange = {}): string {
  const p = load();
  return [p.header, ...selected(indices, hours).map((i) => p.lines[i])].join("\n") + "\n";
}

/**
 * The feature rows the series `indices` leave in a store when their hours in `hours` are
 * ingested, each as {@link featureRowId} of the stored row.
 */
export function de35FeatureRows(indices: readonly number[], hours: HourRange = {}): string[] {
  const p = load();
  return selected(indices, hours).map((i) => {
    const s = p.series[p.seriesOf[i]];
    return featureRowId({ datetime_utc: p.hourOf[i], area: AREA_CODES[s.area], consumer_type: s.consumerType, energy_consumption: p.valueOf[i] });
  });
}

/** A stored DE35 feature row (time as a Date or UTC ms) as one comparable string. */
export function featureRowId(row: { datetime_utc: unknown; area: unknown; consumer_type: unknown; energy_consumption: unknown }): string {
  const t = row.datetime_utc instanceof Date ? row.datetime_utc.getTime() : Number(row.datetime_utc);
  return `${new Date(t).toISOString().slice(0, 13)} ${String(row.area)}/${String(row.consumer_type)} ${String(row.energy_consumption)}`;
}
