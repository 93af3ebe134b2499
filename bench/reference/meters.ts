import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSourcePanel } from "../../src/pipeline/backtest/history.js";
import { meterFile } from "../../src/pipeline/backtest/synthetic-file.js";
import { applyDatasetFlags } from "../../src/pipeline/dataset/preset.js";
import { datasetCalendar } from "../../src/pipeline/dataset/spec.js";
import type { CalendarSpec } from "../../src/pipeline/features/calendar.js";
import type { Panel } from "../../src/pipeline/features/panel.js";
import { fileSource } from "../../src/pipeline/ingest/file-source.js";
import type { HolidayWindow } from "./sets.js";

/**
 * The benchmark's second dataset: a seeded synthetic meter file (src/pipeline/backtest/
 * synthetic-file.ts) of 40 series keyed by two string columns (site, meter), local Copenhagen
 * wall times, 2023-04-20 .. 2023-05-31, read through the generic file source as any long file
 * is, its calendar (Copenhagen's clock and the Danish holidays the generator dips on, given as
 * `--holidays DK` would give them) and its holiday window: the week of Ascension Day (May 18).
 */
export async function metersPanel(): Promise<{ panel: Panel; calendar: CalendarSpec; holidays: HolidayWindow }> {
  const series = ["north", "south", "east", "west"].flatMap((site) =>
    Array.from({ length: 10 }, (_, i) => ({ site, meter: `m-${String(i + 1).padStart(2, "0")}` })),
  );
  const tmp = mkdtempSync(join(tmpdir(), "reference-meters-"));
  try {
    const path = join(tmp, "meters.csv");
    writeFileSync(path, meterFile({ series, from: "2023-04-20", to: "2023-06-01", seed: 7 }).csv);
    const dataset = applyDatasetFlags(undefined, { keys: "site,meter", time: "read_at", timeZone: "Europe/Copenhagen", value: "kwh", holidays: "DK" });
    const panel = await loadSourcePanel(fileSource(path), dataset);
    return {
      panel,
      calendar: datasetCalendar(dataset),
      holidays: { from: Date.UTC(2023, 4, 14, 22), to: Date.UTC(2023, 4, 19, 22), about: "Ascension Day week, 22:00 UTC (targets up to May 20)" },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
