/**
 * Model page data: the registry's versions (metadata, hyperparameters, backtest metrics), the
 * seasonal-naive baselines (24 h and 168 h) scored on exactly the same backtest folds, the
 * production model's configuration, and the error by horizon step of the live forecasts next to
 * the baselines' error on the same hours.
 */
import { EXPERIMENT_TRIAL_KEY, HOUR_MS, ModelRegistry, SeasonalNaive, experimentPrefix, modelAliasKey, panelFromTable, runBacktest, type DatasetInfo, type FeatureStore, type ModelMetadata, type TrialRecord } from "../../src/pipeline/index.js";
import { summariseArtifact, summariseFeatures } from "./lib/artifact.js";
import { emit, emptyNotice, runLoader, type ReportContext } from "./lib/context.js";
import { readScored } from "./lib/scored.js";
import { extent, featureGroup, frac, readJsonIfExists } from "./lib/store.js";

/** Versions shown (the newest). */
const MAX_VERSIONS = 30;
const PERIODS = [24, 168];

runLoader("model", async (ctx) => {
  const { storage, config } = ctx;
  const registry = new ModelRegistry(storage);
  const name = config.forecast.model;
  const versions = (await registry.versions(name)).slice(-MAX_VERSIONS);
  if (versions.length === 0) {
    const others = await registry.names();
    emit(ctx, {
      empty: emptyNotice(
        "No model in the registry yet",
        `No version of model "${name}" is registered${others.length ? ` (the registry holds ${others.join(", ")}; set MODEL_NAME to show one)` : ""}; a pipeline run trains one`,
      ),
    });
    return;
  }
  const hasAlias = await storage.exists(modelAliasKey(name, "production"));
  const production = hasAlias ? await registry.resolve(name, "production") : versions[versions.length - 1];
  const { store, info } = await featureGroup(ctx);

  const rows = [];
  for (const v of versions) {
    const meta = await registry.metadata(name, v);
    const trials = await readTrials(ctx, meta.runId);
    const best = trials.slice().sort((a, b) => a.metrics.mape - b.metrics.mape)[0];
    rows.push({
      version: meta.version,
      createdAt: meta.createdAt,
      kind: meta.kind,
      trainingWindow: meta.trainingWindow,
      featureStore: meta.featureStore,
      features: meta.features.length,
      hyperparameters: meta.hyperparameters,
      metrics: Object.fromEntries(Object.entries(meta.metrics).map(([k, x]) => [k, k === "folds" ? x : frac(x)])),
      runId: meta.runId,
      trials: trials.length,
      folds: best?.folds ?? [],
      fitSeconds: best ? Math.round(best.fitSeconds * 10) / 10 : null,
      baselines: best && best.folds.length > 0 ? await baselines(store, info, meta, best.folds, config.forecast.horizon) : null,
      production: meta.version === production,
    });
  }

  const prodMeta = await registry.load(name, production);
  emit(ctx, {
    data: {
      name,
      production,
      alias: hasAlias ? "production" : null,
      versions: rows,
      config: {
        components: summariseArtifact(prodMeta.artifact),
        features: summariseFeatures(prodMeta.metadata.features),
        hyperparameters: prodMeta.metadata.hyperparameters,
      },
      horizon: await liveByStep(ctx, store, info),
    },
  });
});

async function readTrials(ctx: ReportContext, runId: string): Promise<TrialRecord[]> {
  const keys = (await ctx.storage.list(experimentPrefix(runId))).filter((k) => EXPERIMENT_TRIAL_KEY.test(k));
  const out: TrialRecord[] = [];
  for (const key of keys) {
    const t = await readJsonIfExists<TrialRecord>(ctx.storage, key);
    if (t) out.push(t);
  }
  return out;
}

/**
 * The seasonal-naive baselines backtested on the model's own folds and data (the pipeline's
 * backtest engine and SeasonalNaive model), so the numbers compare like for like.
 */
async function baselines(store: FeatureStore, info: DatasetInfo, meta: ModelMetadata, folds: string[], horizon: number) {
  const origins = folds.map((f) => Date.parse(f)).sort((a, b) => a - b);
  const end = Date.parse(meta.trainingWindow.end) + HOUR_MS;
  const start = origins[0] - Math.max(...PERIODS) * HOUR_MS;
  const table = await store.read({ start, end });
  if (table.numRows() === 0) return null;
  const panel = panelFromTable(table, info.keys, "baseline history");
  const every = origins.length > 1 ? (origins[1] - origins[0]) / HOUR_MS : 24;
  const result = runBacktest(
    panel,
    PERIODS.map((p) => ({ name: `seasonal-naive-${p}`, create: () => new SeasonalNaive(p) })),
    { from: origins[0], to: origins[origins.length - 1], every, horizon, calibrationWarmup: 0 },
  );
  return Object.fromEntries(result.models.map((m) => [m.name, { mape: frac(m.mape), rmspe: frac(m.rmspe), n: m.n }]));
}

/**
 * Error by horizon step of every scored live forecast, next to the seasonal-naive forecasts of
 * the same hours (the value 24 h and 168 h before the target, both known at every origin for
 * steps up to 24), on the hours where all three exist.
 */
async function liveByStep(ctx: ReportContext, store: FeatureStore, info: DatasetInfo) {
  const maxPeriod = Math.max(...PERIODS);
  const minPeriod = Math.min(...PERIODS);
  const scored = await readScored(ctx.storage, store, info, { lagHours: maxPeriod });
  if (!scored) return null;
  const maxStep = extent(scored.step)[1];
  const sums = Array.from({ length: maxStep }, () => ({ n: 0, model: 0, naive: PERIODS.map(() => 0) }));
  for (let i = 0; i < scored.n; i++) {
    const truth = scored.y[i];
    const s = scored.series[i];
    // The model's own forecasts only: new series' baseline forecasts are not the model's.
    if (!Number.isFinite(truth) || truth === 0 || s < 0 || scored.step[i] > minPeriod || scored.baseline[i]) continue;
    const naive = PERIODS.map((h) => scored.valueAt(s, scored.time[i] - h * HOUR_MS));
    if (naive.some((v) => !Number.isFinite(v))) continue;
    const acc = sums[scored.step[i] - 1];
    acc.n++;
    acc.model += Math.abs((truth - scored.prediction[i]) / truth);
    naive.forEach((v, k) => (acc.naive[k] += Math.abs((truth - v) / truth)));
  }
  const steps = sums.map((s, i) => ({
    step: i + 1,
    n: s.n,
    model: s.n ? frac(s.model / s.n) : null,
    ...Object.fromEntries(PERIODS.map((h, k) => [`naive${h}`, s.n ? frac(s.naive[k] / s.n) : null])),
  })).filter((s) => s.n > 0);
  const total = sums.reduce((acc, s) => ({ n: acc.n + s.n, model: acc.model + s.model, naive: acc.naive.map((x, k) => x + s.naive[k]) }), { n: 0, model: 0, naive: PERIODS.map(() => 0) });
  if (total.n === 0) return null;
  return {
    steps,
    overall: {
      n: total.n,
      model: frac(total.model / total.n),
      ...Object.fromEntries(PERIODS.map((h, k) => [`naive${h}`, frac(total.naive[k] / total.n)])),
    },
  };
}
