import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSourcePanel } from "../../src/pipeline/backtest/history.js";
import { meterFile } from "../../src/pipeline/backtest/synthetic-file.js";
import { applyDatasetFlags } from "../../src/pipeline/dataset/preset.js";
import { datasetCalendar } from "../../src/pipeline/dataset/spec.js";
import type { CalendarSpec, HolidaySet } from "../../src/pipeline/features/calendar.js";
import type { Panel } from "../../src/pipeline/features/panel.js";
import { fileSource } from "../../src/pipeline/ingest/file-source.js";
import type { HolidayWindow } from "./sets.js";

/** A variant of the meter dataset: the zone of its wall clock and the holidays its series dip on. */
export interface MetersVariant {
  zone: string;
  holidays: HolidaySet;
  /** What its set C (May 14-19, 22:00 UTC, unless `window` says otherwise) holds. */
  about: string;
  /** The generator's seed (default 7), first and last local day (default 2023-04-20 .. 2023-06-01). */
  seed?: number;
  from?: string;
  to?: string;
  /** The days of set C: first and last origin, 22:00 UTC (default May 14 .. May 19). */
  window?: { from: number; to: number };
}

/** The second dataset: Copenhagen wall times, Danish holidays (set C: the week of Ascension Day, May 18). */
export const METERS_COPENHAGEN: MetersVariant = {
  zone: "Europe/Copenhagen",
  holidays: "DK",
  about: "Ascension Day week, 22:00 UTC (targets up to May 20)",
};

/** The same meters in New York with no holidays at all: nothing Danish in the data or its calendar. */
export const METERS_NEW_YORK: MetersVariant = { zone: "America/New_York", holidays: "none", about: "May 14-19, 22:00 UTC (no holidays in this calendar)" };

/**
 * Meters nobody chose anything on (`REFERENCE_DATA=meters-fresh`, added 2026-12-04 with this
 * definition committed before its first score): another seed of the generator, another season
 * (2023-03-10 .. 2023-04-21, Copenhagen, Danish holidays), so set C holds Easter (Maundy Thursday
 * April 6 to Easter Monday April 10) instead of Ascension Day, and A, B and E the ten days after it.
 */
export const METERS_FRESH: MetersVariant = {
  zone: "Europe/Copenhagen",
  holidays: "DK",
  about: "Easter week, 22:00 UTC (Apr 4-9; targets up to Apr 10)",
  seed: 20261204,
  from: "2023-03-10",
  to: "2023-04-21",
  window: { from: Date.UTC(2023, 3, 4, 22), to: Date.UTC(2023, 3, 9, 22) },
};

/** The meter variants by their `REFERENCE_DATA` name. */
export const METERS_VARIANTS: Readonly<Record<string, MetersVariant>> = {
  meters: METERS_COPENHAGEN,
  "meters-ny": METERS_NEW_YORK,
  "meters-fresh": METERS_FRESH,
};

/**
 * The benchmark's second dataset: a seeded synthetic meter file (src/pipeline/backtest/
 * synthetic-file.ts) of 40 series keyed by two string columns (site, meter), local wall times
 * in the variant's zone, 2023-04-20 .. 2023-05-31 unless the variant says otherwise, read through
 * the generic file source as any long file is with `--time-zone` and `--holidays` as the variant
 * says, its calendar, and the window of its set C.
 */
export async function metersPanel(variant: MetersVariant): Promise<{ panel: Panel; calendar: CalendarSpec; holidays: HolidayWindow }> {
  const series = ["north", "south", "east", "west"].flatMap((site) =>
    Array.from({ length: 10 }, (_, i) => ({ site, meter: `m-${String(i + 1).padStart(2, "0")}` })),
  );
  const tmp = mkdtempSync(join(tmpdir(), "reference-meters-"));
  try {
    const path = join(tmp, "meters.csv");
    const { seed = 7, from = "2023-04-20", to = "2023-06-01" } = variant;
    writeFileSync(path, meterFile({ series, from, to, seed, zone: variant.zone, holidays: variant.holidays }).csv);
    const dataset = applyDatasetFlags(undefined, { keys: "site,meter", time: "read_at", timeZone: variant.zone, value: "kwh", holidays: variant.holidays });
    const panel = await loadSourcePanel(fileSource(path), dataset);
    return {
      panel,
      calendar: datasetCalendar(dataset),
      holidays: { ...(variant.window ?? { from: Date.UTC(2023, 4, 14, 22), to: Date.UTC(2023, 4, 19, 22) }), about: variant.about },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
