import type { StepContext } from "../core/step.js";
import { PipelineError } from "../core/errors.js";
import { formatInstant, HOUR_MS } from "../time/index.js";
import { codeVersion } from "../config/version.js";
import { storedCalendar } from "../dataset/spec.js";
import type { CalendarSpec } from "../features/calendar.js";
import { runBacktest } from "../backtest/engine.js";
import { panelEnd, panelFromTable } from "../features/panel.js";
import { FeatureStore } from "../featurestore/store.js";
import { calibrate } from "../models/conformal.js";
import { ModelRegistry } from "../registry/registry.js";
import type { ModelMetadata } from "../registry/metadata.js";
import { DEFAULT_TRAIN_MAX_SERIES } from "../series/sample.js";
import { experimentTrialKey } from "../storage/layout.js";
import { SampledFit, trainingSeriesRecord, type TrainingSeries } from "./sample-fit.js";
import type { Trial } from "./search.js";
import type { ForecasterFactory } from "./candidates.js";

/** How to train and where to register. */
export interface TrainOptions {
  /** Registered model name (the forecaster's name in the catalog). */
  model: string;
  /** Builds a fresh forecaster with a trial's learner settings on the stored dataset's calendar. */
  create: ForecasterFactory;
  /** Learner settings to compare; one entry = no search. */
  trials: Trial[];
  /** Expanding-window folds: the last `folds` origins, `every` hours apart, each `horizon` hours. */
  folds: number;
  every: number;
  horizon: number;
  /** Data at or after this instant is not visible (as-of minus delay); default: everything. */
  visibleUntil?: number;
  /** Alias pointed at the new version (e.g. `production`); none when undefined. */
  alias?: string;
  /**
   * The most series the model trains on (TRAIN_MAX_SERIES, default 2,000; 0: every series): a
   * wider panel trains on a stratified sample of its series (src/pipeline/series/sample.ts), in
   * every fold and in the final fit; every series is still scored and forecast.
   */
  maxSeries?: number;
}

/** One scored trial, as recorded under `experiments/<runId>/`. */
export interface TrialRecord {
  runId: string;
  trial: number;
  model: string;
  params: Trial;
  metrics: { mape: number; rmspe: number; coverage80: number | null };
  fitSeconds: number;
  predictSeconds: number;
  folds: string[];
  dataWindow: [string, string];
}

/**
 * The registry metadata of a trained model: {@link ModelMetadata}, the series it was trained on,
 * the calendar it reads hours and days on (the stored dataset's), and for a model that chooses
 * among candidates at its fit (`gbm-choice`), the candidates, their MAPE on its inner folds and
 * the weights it kept.
 */
export type TrainedModelMetadata = ModelMetadata & { trainingSeries: TrainingSeries; calendar: CalendarSpec; choice?: ModelChoice };

/** What a choosing model chose at its final fit, from its JSON. */
export interface ModelChoice {
  /** The members' names, in the order of each candidate's weights. */
  members: string[];
  candidates: number[][];
  scores: Array<number | null>;
  weights: number[];
}

/** What a training run did. */
export interface TrainReport {
  runId: string;
  trials: TrialRecord[];
  best: TrialRecord;
  registered: TrainedModelMetadata;
}

/**
 * Scores each trial by backtest MAPE on expanding-window folds (refit at every fold, as the
 * reference's sweep), records every trial as an experiment run in the store, fits the best on
 * all visible data with intervals calibrated from its fold residuals, and registers it. A panel of
 * more than `maxSeries` series trains on a stratified sample of them (recorded in the metadata as
 * `trainingSeries`).
 */
export async function train(ctx: StepContext, options: TrainOptions): Promise<TrainReport> {
  const { storage, group, runId } = ctx;
  const store = new FeatureStore(storage, group);
  const manifest = await store.manifest();
  const features = await store.read(options.visibleUntil === undefined ? undefined : { start: -Infinity, end: options.visibleUntil });
  if (!manifest || features.numRows() === 0) {
    throw new PipelineError(
      "train",
      `no feature rows${options.visibleUntil === undefined ? "" : ` before ${formatInstant(options.visibleUntil)}`} in ${storage.uri}; run energy-forecast ingest first`,
    );
  }
  const info = await store.info(manifest);
  const panel = panelFromTable(features, info.keys, "training data");
  const calendar = storedCalendar(info);
  const last = panelEnd(panel) - options.horizon * HOUR_MS;
  const first = last - (options.folds - 1) * options.every * HOUR_MS;
  if (first - panel.start < 14 * 24 * HOUR_MS) {
    throw new PipelineError(
      "train",
      `${panel.hours} hours of data are too few for ${options.folds} folds of ${options.horizon} h every ${options.every} h (the first fold needs 14 days of history); ingest more days or lower --folds`,
    );
  }
  const dataWindow: [string, string] = [new Date(panel.start).toISOString(), new Date(panelEnd(panel)).toISOString()];
  const maxSeries = options.maxSeries ?? DEFAULT_TRAIN_MAX_SERIES;
  const create = (params: Trial) => new SampledFit(options.create(params, calendar), maxSeries);
  const records: TrialRecord[] = [];
  const residualsOf = new Map<number, Parameters<typeof calibrate>[0]>();
  for (let k = 0; k < options.trials.length; k++) {
    const params = options.trials[k];
    const result = runBacktest(panel, [{ name: options.model, create: () => create(params) }], {
      from: first,
      to: last,
      every: options.every,
      horizon: options.horizon,
      logger: ctx.logger,
    });
    const m = result.models[0];
    const record: TrialRecord = {
      runId,
      trial: k + 1,
      model: options.model,
      params,
      metrics: { mape: m.mape, rmspe: m.rmspe, coverage80: Number.isFinite(m.coverage80) ? m.coverage80 : null },
      fitSeconds: m.fitSeconds,
      predictSeconds: m.predictSeconds,
      folds: result.origins.map((o) => new Date(o).toISOString()),
      dataWindow,
    };
    residualsOf.set(k, m.residuals);
    records.push(record);
    await storage.write(experimentTrialKey(runId, k + 1), JSON.stringify(record, null, 1), { contentType: "application/json" });
    ctx.logger.info("train: trial", { trial: k + 1, of: options.trials.length, mape: m.mape.toFixed(4), params: JSON.stringify(params) });
  }
  const bestIndex = records.reduce((b, r, i) => (r.metrics.mape < records[b].metrics.mape ? i : b), 0);
  const best = records[bestIndex];
  const forecaster = create(best.params);
  forecaster.fit(panel);
  forecaster.calibration = calibrate(residualsOf.get(bestIndex)!, options.horizon);
  const trainingSeries = trainingSeriesRecord(forecaster.sample!);
  if (trainingSeries.sampled) {
    ctx.logger.info("train: trained on a sample of the series", {
      used: trainingSeries.used,
      of: trainingSeries.total,
      maxSeries,
      fingerprint: trainingSeries.fingerprint,
    });
  }
  const json = forecaster.toJSON();
  const registry = new ModelRegistry(storage);
  const metadata: Omit<TrainedModelMetadata, "format" | "formatVersion" | "name" | "version"> = {
    createdAt: ctx.clock.now().toISOString(),
    kind: String(json.kind),
    trainingWindow: { start: dataWindow[0], end: dataWindow[1] },
    featureStore: { group: `${group.name}/v${group.version}`, commit: manifest.commit },
    features: featureList(json),
    hyperparameters: best.params,
    metrics: { mape: best.metrics.mape, rmspe: best.metrics.rmspe, coverage80: best.metrics.coverage80, folds: options.folds },
    runId,
    codeVersion: codeVersion(),
    trainingSeries,
    calendar,
    ...choiceOf(json),
  };
  // The registry stores every field it is given; the series sample travels with the metadata.
  const registered = (await registry.register(options.model, json, metadata)) as TrainedModelMetadata;
  if (options.alias) await registry.setAlias(options.model, options.alias, registered.version);
  return { runId, trials: records, best, registered };
}

/** The choice a serialised choosing model made (`gbm-choice`'s candidates, scores and weights), if it is one. */
function choiceOf(json: Record<string, unknown>): { choice?: ModelChoice } {
  const options = json.options as { candidates?: number[][] } | undefined;
  if (json.kind !== "auto-blend" || !options?.candidates || !Array.isArray(json.scores)) return {};
  const members = (json.members as Array<{ name: string }>).map((m) => m.name);
  return { choice: { members, candidates: options.candidates, scores: json.scores as Array<number | null>, weights: (json.weights as number[][])[0] } };
}

/** Feature names a serialised forecaster declares (its GBM members' inputs), if any. */
function featureList(json: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const walk = (j: unknown) => {
    if (!j || typeof j !== "object") return;
    const o = j as Record<string, unknown>;
    if (Array.isArray(o.featureNames)) for (const f of o.featureNames) out.add(String(f));
    for (const v of Object.values(o)) if (v && typeof v === "object") walk(v);
  };
  walk(json);
  return Array.from(out);
}
