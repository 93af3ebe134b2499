import type { Command } from "commander";
import {
  FeatureStore,
  HOUR_MS,
  PipelineError,
  checkHorizon,
  parseInstant,
  predict,
  stepContext,
  visibleUntil,
  writePredictionOutputs,
} from "../../pipeline/index.js";
import { createContext, type CliContext } from "../context.js";
import { wholeHoursFlag } from "../options.js";
import { withStoreLock } from "../lock.js";

export interface PredictFlags {
  asOf?: string;
  model: string;
  horizon?: string;
  json?: boolean;
}

/** What `energy-forecast predict` does once its flags are parsed (loaded on demand: `--help` never loads the pipeline). */
export async function predictAction(flags: PredictFlags, cmd: Command): Promise<void> {
  const ctx = createContext(cmd);
  const runId = ctx.newRunId("predict");
  // The flags are read before the lock is taken, so a usage error never waits for the store.
  const horizon = flags.horizon
    ? checkHorizon(wholeHoursFlag(flags.horizon, "--horizon"), "--horizon", ctx.config.forecast.maxHorizon)
    : ctx.config.forecast.horizon;
  const asOfUntil = flags.asOf === undefined ? undefined : await visibleUntilFor(ctx, flags.asOf);
  const { result, written } = await withStoreLock(ctx, runId, async (storage) => {
    // Without --as-of, the newest stored hour is read under the lock: a concurrent ingest has finished.
    const visibleUntil = asOfUntil ?? (await visibleUntilFor(ctx, undefined));
    const predicted = await predict(stepContext(ctx, { runId, storage }), {
      visibleUntil,
      model: ctx.config.forecast.model,
      ref: flags.model,
      horizon,
      lookbackDays: ctx.config.forecast.lookbackDays,
    });
    return {
      result: predicted,
      written: await writePredictionOutputs(storage, runId, predicted.tables, predicted.keys, { windowDays: ctx.config.historyWindowDays }),
    };
  });
  const report = { runId, ...result.report, historyRows: written.historyRows, replacedRows: written.replaced };
  ctx.io.stdout.write(
    flags.json
      ? JSON.stringify(report, null, 2) + "\n"
      : `predict ${runId}: ${report.model} v${report.modelVersion} from origin ${report.origin.slice(0, 16)}Z, ${report.series} series x ${report.horizon} h -> predictions.parquet, runs/${runId}/; history ${report.historyRows} rows\n`,
  );
}

/** as-of minus the data delay, or (without --as-of) just after the newest stored hour; `command` names the asking command in errors. */
export async function visibleUntilFor(ctx: CliContext, asOf: string | undefined, command = "predict"): Promise<number> {
  if (asOf !== undefined) {
    const t = parseInstant(asOf, "--as-of");
    return visibleUntil(t, ctx.config.window.delayDays);
  }
  const latest = await new FeatureStore(ctx.storage, ctx.config.featureGroup).latestHour();
  if (latest === undefined) throw new PipelineError(command, `the feature store in ${ctx.storage.uri} is empty; run energy-forecast ingest first`);
  return latest + HOUR_MS;
}
