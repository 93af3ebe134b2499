/**
 * Runs page data: every scheduled tick's manifest (as-of, durations per step, row counts,
 * training decision, monitoring, outputs) and every failed tick's failure record, newest first,
 * capped at {@link MAX_RUNS}.
 */
import { emit, emptyNotice, redactPaths, runLoader } from "./lib/context.js";
import { listRuns } from "./lib/store.js";

const MAX_RUNS = 200;

runLoader("runs", async (ctx) => {
  const runs = await listRuns(ctx.storage);
  if (runs.length === 0) {
    emit(ctx, { empty: emptyNotice("No pipeline run yet", "No run manifest or failure record is in the store (ingest-only runs do not write one)") });
    return;
  }
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
      startedAt: m.startedAt,
      finishedAt: m.finishedAt,
      durationMs: Date.parse(m.finishedAt) - Date.parse(m.startedAt),
      durations: m.durationsMs,
      ingest: { rows: m.ingest.rows, series: m.ingest.series, added: m.ingest.added, changed: m.ingest.changed, commit: m.ingest.featureStoreCommit, window: m.ingest.window },
      validation: { success: m.validation.success, evaluated: m.validation.evaluated },
      train: { trained: m.train.trained, reason: m.train.reason, version: m.train.version },
      monitor: { scored: m.monitor.scored, mape7d: m.monitor.mape7d, coverage80_7d: m.monitor.coverage80_7d, alerts: m.monitor.alerts },
      predict: { origin: m.predict.origin, rows: m.predict.rows, series: m.predict.series, model: m.predict.model, modelVersion: m.predict.modelVersion, horizon: m.predict.horizon },
      outputs: m.outputs,
      codeVersion: m.codeVersion,
    };
  });
  emit(ctx, {
    data: {
      total: runs.length,
      failed: runs.filter((r) => r.kind === "failed").length,
      runs: rows,
    },
  });
});
