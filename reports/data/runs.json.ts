/**
 * Runs page data: every scheduled tick's manifest (as-of, durations per step, row counts,
 * training decision, monitoring, the series it did not forecast (stale) or forecast with the
 * baseline (new), outputs) and every failed tick's failure record, newest first, capped at
 * {@link MAX_RUNS}.
 */
import { HOUR_MS } from "../../src/pipeline/index.js";
import { emit, emptyNotice, redactPaths, runLoader } from "./lib/context.js";
import { datasetOut, runSeriesNotes } from "./lib/series.js";
import { featureGroup, listRuns } from "./lib/store.js";

const MAX_RUNS = 200;
/** Stale and baseline series listed per run (the counts are complete). */
const MAX_NOTED = 20;

runLoader("runs", async (ctx) => {
  const runs = await listRuns(ctx.storage);
  if (runs.length === 0) {
    emit(ctx, { empty: emptyNotice("No pipeline run yet", "No run manifest or failure record is in the store (ingest-only runs do not write one)") });
    return;
  }
  const { info } = await featureGroup(ctx);
  const rows = runs.slice(-MAX_RUNS).reverse().map((r) => {
    if (r.kind === "failed") {
      const f = r.failure;
      return { runId: f.runId, status: "failed" as const, asOf: f.asOf, startedAt: null, finishedAt: f.at, step: f.step, error: redactPaths(f.error) };
    }
    const m = r.manifest;
    return {
      runId: m.runId,
      status: "succeeded" as const,
      asOf: m.asOf,
      visibleUntil: m.visibleUntil,
      delayDays: Math.floor((Date.parse(m.asOf) - Date.parse(m.visibleUntil)) / HOUR_MS) / 24,
      dataset: m.dataset?.name ?? null,
      startedAt: m.startedAt,
      finishedAt: m.finishedAt,
      durationMs: Date.parse(m.finishedAt) - Date.parse(m.startedAt),
      durations: m.durationsMs,
      ingest: { rows: m.ingest.rows, series: m.ingest.series, added: m.ingest.added, changed: m.ingest.changed, commit: m.ingest.featureStoreCommit, window: m.ingest.window },
      validation: { success: m.validation.success, evaluated: m.validation.evaluated },
      train: { trained: m.train.trained, reason: m.train.reason, version: m.train.version },
      monitor: { scored: m.monitor.scored, mape7d: m.monitor.mape7d, coverage80_7d: m.monitor.coverage80_7d, alerts: m.monitor.alerts },
      predict: {
        origin: m.predict.origin,
        rows: m.predict.rows,
        series: m.predict.series,
        model: m.predict.model,
        modelVersion: m.predict.modelVersion,
        horizon: m.predict.horizon,
        ...runSeriesNotes(m.predict, info, MAX_NOTED),
      },
      outputs: m.outputs,
      codeVersion: m.codeVersion,
    };
  });
  emit(ctx, {
    data: {
      dataset: datasetOut(info),
      total: runs.length,
      failed: runs.filter((r) => r.kind === "failed").length,
      runs: rows,
    },
  });
});
