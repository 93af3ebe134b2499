import type { Command } from "commander";
import { ConfigError } from "../../pipeline/core/errors.js";
import { checkHorizon, checkTimeOrder } from "../../pipeline/config/config.js";
import { parseInstant } from "../../pipeline/time/index.js";
import { runBacktest } from "../../pipeline/backtest/engine.js";
import { backtestJson, formatBacktest, type Breakdown } from "../../pipeline/backtest/format.js";
import { loadSourcePanel } from "../../pipeline/backtest/history.js";
import { fileSource } from "../../pipeline/ingest/file-source.js";
import { createForecaster, DEFAULT_MODEL, MODEL_NAMES } from "../../pipeline/models/catalog.js";
import { createContext, type GlobalOptions } from "../context.js";
import { addSourceOptions, sourceOverrides, type SourceFlags } from "../source-options.js";

interface BacktestFlags extends SourceFlags {
  from: string;
  to: string;
  every: string;
  horizon: string;
  models?: string;
  json?: boolean;
  by?: string;
}

/** `energy-forecast backtest`: rolling-origin evaluation of forecasting models on a data file. */
export function registerBacktest(program: Command): void {
  addSourceOptions(
    program.command("backtest").description("fit each model at every origin on the history up to it, forecast the next hours, and score the forecasts"),
    "embedded (bundled data), file:<path.csv|.parquet>, or a path to a CSV or parquet file (env SOURCE; default embedded)",
  )
    .requiredOption("--from <iso>", "first origin (the last known hour), UTC, e.g. 2023-01-07T22:00")
    .requiredOption("--to <iso>", "last origin, inclusive, UTC")
    .option("--every <hours>", "hours between origins", "24")
    .option("--horizon <hours>", "hours forecast after each origin", "24")
    .option("--models <names>", `comma-separated models (default: all of ${MODEL_NAMES.join(", ")})`)
    .option(
      "--json",
      'print {"origins","horizon","models":[{"name","mape","meanSeriesMape","medianSeriesMape","rmspe","coverage80","fitSeconds","predictSeconds","byOrigin":[{"origin","mape","rmspe","coverage80","n"}]}],"default"} (errors as fractions; mape pooled over points, the series ones over per-series MAPEs)',
    )
    .option("--by <breakdowns>", 'add breakdowns to the table: horizon, series (comma-separated; origin is always shown); with --json, each model gets "byStep" or "bySeries" ({"key":{<key column>:<value>}})')
    .addHelpText("after", "\nOrigins whose horizon runs past the data are skipped. Exit codes: 0 ok, 1 failure, 2 bad usage.")
    .action(async (flags: BacktestFlags, cmd: Command) => {
      const from = parseInstant(flags.from, "--from");
      const to = parseInstant(flags.to, "--to");
      const every = wholeHours(flags.every, "--every");
      const horizon = wholeHours(flags.horizon, "--horizon");
      checkTimeOrder(from, to);
      const names = flags.models === undefined ? [...MODEL_NAMES] : flags.models.split(",").map((s) => s.trim()).filter(Boolean);
      if (names.length === 0) throw new ConfigError(`--models needs at least one name; known models: ${MODEL_NAMES.join(", ")}`);
      for (const name of names) createForecaster(name); // fail on an unknown name before loading data
      const by = parseBreakdowns(flags.by);
      const ctx = createContext(cmd.optsWithGlobals<GlobalOptions>(), sourceOverrides(flags));
      checkHorizon(horizon, "--horizon", ctx.config.forecast.maxHorizon);
      if (ctx.config.source.kind !== "file") {
        throw new ConfigError(`backtest needs a data file, not the live API; use --source embedded, file:<path.csv> or a path to a CSV in the API's CSV layout`);
      }
      const source = fileSource(ctx.config.source.location);
      const panel = await loadSourcePanel(source, ctx.config.dataset, ctx.config.filter);
      ctx.logger.info("backtest data", { source: source.description, series: panel.keys.length, hours: panel.hours });
      const result = runBacktest(
        panel,
        names.map((name) => ({ name, create: () => createForecaster(name) })),
        { from, to, every, horizon, logger: ctx.logger },
      );
      process.stdout.write(flags.json ? JSON.stringify(backtestJson(result, DEFAULT_MODEL, by)) + "\n" : formatBacktest(result, source.description, DEFAULT_MODEL, by));
    });
}

function wholeHours(raw: string, name: string): number {
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isInteger(v) || v < 1) throw new ConfigError(`${name} must be a whole number of hours >= 1, got "${raw}"`);
  return v;
}

function parseBreakdowns(raw: string | undefined): Breakdown[] {
  if (raw === undefined) return [];
  const known: Breakdown[] = ["horizon", "series", "origin"];
  return raw.split(",").map((s) => {
    const b = s.trim() as Breakdown;
    if (!known.includes(b)) throw new ConfigError(`--by must be one or more of ${known.join(", ")} (comma-separated), got "${s.trim()}"`);
    return b;
  });
}
