import type { Command } from "commander";
import { addSourceOptions } from "../source-options.js";
import type { IngestFlags } from "../actions/ingest.js";

/** `energy-forecast ingest`: extract, transform, validate and write a window to the feature store. */
export function registerIngest(program: Command): void {
  addSourceOptions(program.command("ingest").description("extract a window of hourly consumption, validate it, and upsert it into the feature store"))
    .option("--as-of <iso>", "reference time T of the window [T-delay-export, T-delay), UTC (default: now for the API, the end of the data + delay for files)")
    .option("--days-delay <days>", "data delay D in days (env DATA_DELAY_DAYS; default 15)")
    .option("--days-export <days>", "export window N in days (env EXPORT_DAYS; default 30)")
    .option("--json", "print the run report as JSON on stdout")
    .option("--full", "extract the whole window, not only the hours after the store's latest: re-ingests a day whose partition file is damaged or missing")
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 1 failure, 2 bad usage or configuration, 3 validation failed (extract quarantined), 5 the store is locked by another command.",
    )
    .action(async (flags: IngestFlags, cmd: Command) => (await import("../actions/ingest.js")).ingestAction(flags, cmd));
}
