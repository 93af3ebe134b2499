import type { Command } from "commander";
import type { ConfigOverrides } from "../pipeline/index.js";
import { PRESET_NAMES, type DatasetFlags } from "../pipeline/dataset/preset.js";

/** The flags that choose the data: where it comes from and what its columns are. */
export interface SourceFlags extends DatasetFlags {
  source?: string;
  dataset?: string;
  filter?: string;
}

/**
 * Adds `--source`, `--dataset`, `--keys`, `--time`, `--time-zone`, `--value`, `--unit`,
 * `--unit-column`, `--calendar-zone`, `--holidays` and `--filter` to a command: every command that reads a source takes the same flags.
 */
export function addSourceOptions(
  command: Command,
  sourceHelp = "embedded (bundled data), api, file:<path.csv|.parquet>, or an http(s) URL (env SOURCE; default embedded)",
): Command {
  return command
    .option("--source <source>", sourceHelp)
    .option("--dataset <preset>", `dataset preset: ${PRESET_NAMES.join(", ")}, or a preset .json file (env DATASET; default de35)`)
    .option("--keys <cols>", "key column(s) of any long table, comma-separated; col:int for an integer key (env KEYS)")
    .option("--time <col>", "hour column (env TIME_COLUMN)")
    .option("--time-zone <zone>", "zone of the hour column: UTC or an IANA name like Europe/Copenhagen (env TIME_ZONE; default UTC)")
    .option("--value <col>", "value column (env VALUE_COLUMN)")
    .option("--unit <unit>", "unit of the value column: Wh, kWh, MWh, GWh, kW, MW (env UNIT; default kWh)")
    .option("--unit-column <col>", "a column holding each row's unit, checked to be --unit on every row (env UNIT_COLUMN)")
    .option("--calendar-zone <zone>", "zone of the series' calendar (hour of day, weekday): default the preset's, else --time-zone (env CALENDAR_ZONE)")
    .option("--holidays <set>", "holidays of the series' calendar: none or DK (default the preset's, else none; env HOLIDAYS)")
    .option("--filter <json>", 'only these series, e.g. {"PriceArea":["DK1"]} (the API\'s filter; env FILTER)');
}

/** The configuration overrides of {@link SourceFlags}. */
export function sourceOverrides(flags: SourceFlags): Pick<ConfigOverrides, "source" | "dataset" | "datasetFlags" | "filter"> {
  return {
    source: flags.source,
    dataset: flags.dataset,
    datasetFlags: {
      keys: flags.keys,
      time: flags.time,
      timeZone: flags.timeZone,
      value: flags.value,
      unit: flags.unit,
      unitColumn: flags.unitColumn,
      calendarZone: flags.calendarZone,
      holidays: flags.holidays,
    },
    filter: flags.filter,
  };
}
