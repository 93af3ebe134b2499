import type { Command } from "commander";
import {
  ConfigError,
  DEFAULT_MODEL,
  BACKTEST_MODELS,
  MODEL_NAMES,
  backtestJson,
  checkHorizon,
  checkTimeOrder,
  createForecaster,
  datasetCalendar,
  fileSource,
  formatBacktest,
  loadSourcePanel,
  parseInstant,
  runBacktest,
  type Breakdown,
} from "../../pipeline/index.js";
import { createContext } from "../context.js";
import { sourceOverrides, type SourceFlags } from "../source-options.js";

export interface BacktestFlags extends SourceFlags {
  from: string;
  to: string;
  every: string;
  horizon: string;
  models?: string;
  json?: boolean;
  by?: string;
}

/** What `energy-forecast backtest` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function backtestAction(flags: BacktestFlags, cmd: Command): Promise<void> {
  const from = parseInstant(flags.from, "--from");
  const to = parseInstant(flags.to, "--to");
  const every = wholeHours(flags.every, "--every");
  const horizon = wholeHours(flags.horizon, "--horizon");
  checkTimeOrder(from, to);
  const names =
    flags.models === undefined
      ? [...BACKTEST_MODELS]
      : flags.models
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  if (names.length === 0) throw new ConfigError(`--models needs at least one name; known models: ${MODEL_NAMES.join(", ")}`);
  for (const name of names) createForecaster(name); // fail on an unknown name before loading data
  const by = parseBreakdowns(flags.by);
  const ctx = createContext(cmd, sourceOverrides(flags));
  checkHorizon(horizon, "--horizon", ctx.config.forecast.maxHorizon);
  if (ctx.config.source.kind !== "file") {
    throw new ConfigError(`backtest needs a data file, not the live API; use --source embedded, file:<path.csv> or a path to a CSV in the API's CSV layout`);
  }
  const source = fileSource(ctx.config.source.location, { cwd: ctx.cwd });
  const panel = await loadSourcePanel(source, ctx.config.dataset, ctx.config.filter);
  const calendar = datasetCalendar(ctx.config.dataset);
  ctx.logger.info("backtest data", { source: source.description, series: panel.keys.length, hours: panel.hours });
  const result = runBacktest(
    panel,
    names.map((name) => ({ name, create: () => createForecaster(name, {}, calendar, horizon) })),
    { from, to, every, horizon, logger: ctx.logger },
  );
  ctx.io.stdout.write(
    flags.json ? JSON.stringify(backtestJson(result, DEFAULT_MODEL, by)) + "\n" : formatBacktest(result, source.description, DEFAULT_MODEL, by),
  );
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
