import type { Command } from "commander";
import {
  ConfigError,
  DEFAULT_SEARCH_SPACE,
  checkHorizon,
  forecasterFactory,
  gridTrials,
  parseInstant,
  randomTrials,
  stepContext,
  train,
  type TrainReport,
  type Trial,
} from "../../pipeline/index.js";
import { createContext } from "../context.js";
import { wholeHoursFlag } from "../options.js";
import { withStoreLock } from "../lock.js";

export interface TrainFlags {
  model?: string;
  search: string;
  trials: string;
  seed: string;
  folds?: string;
  every: string;
  horizon?: string;
  visibleUntil?: string;
  alias: string | false;
  json?: boolean;
}

/** What `energy-forecast train` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function trainAction(flags: TrainFlags, cmd: Command): Promise<void> {
  const ctx = createContext(cmd);
  const model = flags.model ?? ctx.config.forecast.model;
  const trials = searchTrials(flags);
  const runId = ctx.newRunId("train");
  // The options are read before the lock is taken, so a usage error never waits for the store.
  const horizon = flags.horizon
    ? checkHorizon(wholeHoursFlag(flags.horizon, "--horizon"), "--horizon", ctx.config.forecast.maxHorizon)
    : ctx.config.forecast.horizon;
  const options = {
    model,
    create: forecasterFactory(model, horizon),
    trials,
    folds: flags.folds ? wholeHoursFlag(flags.folds, "--folds") : ctx.config.forecast.folds,
    every: wholeHoursFlag(flags.every, "--every"),
    horizon,
    visibleUntil: flags.visibleUntil ? parseInstant(flags.visibleUntil, "--visible-until") : undefined,
    alias: flags.alias === false ? undefined : flags.alias,
    maxSeries: ctx.config.forecast.trainMaxSeries,
  };
  const report = await withStoreLock(ctx, runId, (storage) => train(stepContext(ctx, { runId, storage }), options));
  ctx.io.stdout.write(flags.json ? JSON.stringify(report, null, 2) + "\n" : formatTrainReport(report));
}

function searchTrials(flags: TrainFlags): Trial[] {
  switch (flags.search) {
    case "none":
      return [{}];
    case "grid":
      return gridTrials(DEFAULT_SEARCH_SPACE);
    case "random":
      return randomTrials(DEFAULT_SEARCH_SPACE, Number(flags.trials), Number(flags.seed));
    default:
      throw new ConfigError(`--search must be none, grid or random, got "${flags.search}"`);
  }
}

/** One line per trial, then the registered version. */
export function formatTrainReport(r: TrainReport): string {
  const lines = [`train ${r.runId}: ${r.trials.length} trial(s) on folds ${r.best.folds.map((f) => f.slice(0, 16)).join(", ")}`];
  for (const t of r.trials) {
    lines.push(
      `  ${t === r.best ? "*" : " "} trial ${t.trial}  MAPE ${(t.metrics.mape * 100).toFixed(2)}%  RMSPE ${(t.metrics.rmspe * 100).toFixed(2)}%  fit ${t.fitSeconds.toFixed(1)} s  ${JSON.stringify(t.params)}`,
    );
  }
  const m = r.registered;
  lines.push(
    `registered ${m.name} v${m.version} (trained on ${m.trainingWindow.start.slice(0, 16)} .. ${m.trainingWindow.end.slice(0, 16)}, feature store commit ${m.featureStore.commit}; calendar ${m.calendar.zone}, holidays ${m.calendar.holidays})`,
  );
  if (m.choice) {
    const { members, candidates, scores, weights } = m.choice;
    const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(2)}%`);
    // "0.5 gbm + 0.5 profile-naive-3": the members a candidate weights, by name.
    const label = (w: number[]) =>
      w
        .map((x, i) => (x === 1 ? members[i] : x > 0 ? `${x} ${members[i]}` : ""))
        .filter(Boolean)
        .join(" + ");
    const kept = candidates.findIndex((c) => c.every((w, i) => w === weights[i]));
    lines.push(`  chose ${label(weights)} on its last inner folds; MAPE of each candidate there:`);
    candidates.forEach((c, i) => lines.push(`  ${i === kept ? "*" : " "} ${pct(scores[i]).padStart(7)}  ${label(c)}`));
  }
  lines.push("");
  return lines.join("\n");
}
