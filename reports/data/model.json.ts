/**
 * Model page data: the registry's versions (metadata, hyperparameters, backtest metrics), the
 * seasonal-naive baselines (24 h and 168 h) scored on exactly the same backtest folds, the
 * production model's configuration, and the error by horizon step of the live forecasts next to
 * the baselines' error on the same hours (as monitoring stored it: src/pipeline/monitor/naive.ts).
 */
import {
  EXPERIMENT_TRIAL_KEY,
  HOUR_MS,
  METRICS_BY_TIME_SCHEMA,
  METRICS_VS_NAIVE_SCHEMA,
  ModelRegistry,
  NAIVE_PERIODS,
  SeasonalNaive,
  experimentPrefix,
  modelAliasKey,
  naiveColumn,
  outputKeys,
  panelFromTable,
  runBacktest,
  type DatasetInfo,
  type FeatureStore,
  type ModelMetadata,
  type Storage,
  type TrialRecord,
} from "../../src/pipeline/index.js";
import { summariseArtifact, summariseFeatures } from "./lib/artifact.js";
import { emit, emptyNotice, runLoader, type ReportContext } from "./lib/context.js";
import { featureGroup, frac, readJsonIfExists, readOptional } from "./lib/store.js";

/** Versions shown (the newest). */
const MAX_VERSIONS = 30;
/** The backtests' baselines: the same seasonal-naive rules the live forecasts are compared with. */
const PERIODS: readonly number[] = NAIVE_PERIODS;

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
      ...(await liveByStep(storage)),
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
 * Error by horizon step of the scored live forecasts of monitoring's window, next to the
 * seasonal-naive forecasts of the same hours (monitoring's `metrics_monitoring_vs_naive.parquet`).
 * `horizon` is null before any forecast was measured; `horizonNote` says why it is missing from a
 * store monitored before monitoring stored it (the next monitor writes it).
 */
async function liveByStep(storage: Storage) {
  const table = await readOptional(storage, outputKeys.metricsVsNaive, METRICS_VS_NAIVE_SCHEMA);
  if (!table) {
    const monitored = await readOptional(storage, outputKeys.metrics, METRICS_BY_TIME_SCHEMA);
    const note =
      monitored && monitored.numRows() > 0
        ? "The live comparison with the seasonal-naive rules appears after the next monitoring run (npx energy-forecast run, or npx energy-forecast monitor): this store was monitored by a version that did not store it."
        : null;
    return { horizon: null, horizonNote: note };
  }
  const rows = table.objects() as Array<Record<string, number>>;
  const n = rows.reduce((a, r) => a + r.n, 0);
  if (n === 0) return { horizon: null, horizonNote: null };
  const naive = (r: Record<string, number>) => Object.fromEntries(PERIODS.map((h) => [`naive${h}`, frac(r[naiveColumn(h)])]));
  // Pooled over the steps: each step's MAPE weighted by its forecasts.
  const pooled = (column: string) => rows.reduce((a, r) => a + r[column] * r.n, 0) / n;
  return {
    horizon: {
      steps: rows.map((r) => ({ step: r.step, n: r.n, model: frac(r.mape), ...naive(r) })),
      overall: { n, model: frac(pooled("mape")), ...Object.fromEntries(PERIODS.map((h) => [`naive${h}`, frac(pooled(naiveColumn(h)))])) },
    },
    horizonNote: null,
  };
}
