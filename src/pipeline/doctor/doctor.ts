/**
 * `energy-forecast doctor`: examines a whole store (feature groups, root outputs, run folders, the
 * forecast history against the run folders, monitoring's state, the lock) and, with `--repair`,
 * rebuilds what can be rebuilt and sets aside under `damaged/` what cannot. Never deletes anything.
 *
 * The forecast history of a partitioned store (`forecasts/state.json` or origin partitions, see
 * history/partitions.ts) is examined partition by partition (forecasts.ts); a store not yet
 * migrated (a single `predictions_monitoring.parquet`) the old way (history.ts): its next run
 * migrates it.
 */
import type { Logger } from "../core/effects.js";
import type { FeatureGroupRef } from "../featurestore/layout.js";
import type { KeyColumn } from "../series/key.js";
import { FORECAST_PART_KEY, outputKeys, RUN_PREDICTIONS_KEY } from "../storage/layout.js";
import type { Storage } from "../storage/storage.js";
import type { DoctorContext } from "./context.js";
import { examineFeatureGroups, repairFeatureGroup, type GroupState } from "./features.js";
import { DEFAULT_HISTORY_WINDOW_DAYS } from "../history/window.js";
import { examineForecasts, isPartitioned, repairForecasts, type ForecastsExamination } from "./forecasts.js";
import { examineHistory, repairHistory, type HistoryState } from "./history.js";
import { examineLock } from "./lock-state.js";
import { examineMonitoring, repairMonitoring, type MonitoringExamination } from "./monitoring.js";
import { examineOutputs, repairOutputs, type DamagedOutput } from "./outputs.js";
import { examination, type Examination, type Finding, type RepairAction } from "./report.js";
import { examineRuns, repairRuns, type RunFolder } from "./runs.js";
import { keysInFile } from "./schemas.js";

/** Settings of one doctor run. */
export interface DoctorOptions {
  now: Date;
  /** Id of this doctor run (recorded in repair commits; the lock owner during `--repair`). */
  runId: string;
  /** The configured feature group: its key columns give the outputs' schemas. */
  group: Pick<FeatureGroupRef, "name" | "version">;
  /** Days of origins the compacted window `predictions_monitoring.parquet` holds (HISTORY_WINDOW_DAYS; default 30). */
  windowDays?: number;
  logger?: Logger;
}

/** An examination and what a repair needs of it. */
export interface StoreExamination {
  report: Examination;
  ctx: DoctorContext;
  groups: GroupState[];
  runs: RunFolder[];
  outputs: DamagedOutput[];
  /** The single-file history of a store not yet partitioned. */
  history?: HistoryState;
  /** The partitioned history of a migrated store. */
  forecasts?: ForecastsExamination;
  monitoring: MonitoringExamination;
}

/** Examines every part of the store; reads only. */
export async function examineStore(storage: Storage, options: DoctorOptions): Promise<StoreExamination> {
  const ctx: DoctorContext = {
    storage,
    now: options.now,
    runId: options.runId,
    keys: await storage.list(""),
    ...(options.logger ? { logger: options.logger } : {}),
  };
  const findings: Finding[] = [];
  const { groups, partitions } = await examineFeatureGroups(ctx, findings);
  const configured = groups.find((g) => g.name === options.group.name && g.version === options.group.version);
  const keys = configured?.keys ?? (await keysFromOutputs(ctx));
  const { runs, files } = await examineRuns(ctx, keys, findings);
  const outputs = await examineOutputs(ctx, keys, runs, findings);
  const partitioned = isPartitioned(ctx.keys);
  const history = partitioned ? undefined : await examineHistory(ctx, keys, runs, findings);
  const forecasts = partitioned ? await examineForecasts(ctx, keys, runs, findings, options.windowDays ?? DEFAULT_HISTORY_WINDOW_DAYS) : undefined;
  const monitoring = await examineMonitoring(ctx, findings);
  const lock = await examineLock(ctx, findings, options.runId);
  const report = examination(storage.uri, options.now, findings, lock, {
    featureGroups: groups.length,
    partitions,
    outputs: outputs.files + (ctx.keys.includes(outputKeys.history) ? 1 : 0),
    runFolders: runs.length,
    runFiles: files,
    historyRows: forecasts ? forecasts.rows : (history?.table?.numRows() ?? 0),
    forecastPartitions: forecasts ? forecasts.parts.length + forecasts.damaged.length : 0,
    monitoringFiles: monitoring.days + (monitoring.state === "absent" ? 0 : 1),
  });
  return { report, ctx, groups, runs, outputs: outputs.damaged, ...(history ? { history } : {}), ...(forecasts ? { forecasts } : {}), monitoring };
}

/**
 * The series key columns read off the forecasts themselves, for a store whose feature group
 * cannot say (manifest missing or unreadable, no partition file decodes).
 */
async function keysFromOutputs(ctx: DoctorContext): Promise<KeyColumn[] | undefined> {
  const candidates = [
    ...ctx.keys.filter((k) => RUN_PREDICTIONS_KEY.test(k)).reverse(),
    outputKeys.predictions,
    outputKeys.history,
    ...ctx.keys.filter((k) => FORECAST_PART_KEY.test(k)).reverse(),
  ];
  for (const key of candidates) {
    if (!ctx.keys.includes(key)) continue;
    try {
      const keys = keysInFile(await ctx.storage.read(key), outputKeys.predictions);
      if (keys) return keys;
    } catch {
      // A damaged file: try the next one (the checks report it).
    }
  }
  return undefined;
}

/**
 * Repairs what an examination found: feature-group manifests, damaged run files, root outputs,
 * the forecast history (partitions, their state, the compacted window), monitoring's state (set
 * aside when the history changed, so the next monitor rescores from the partitions), in that order. The caller holds the store's lock and examined the store
 * while holding it. Returns what was done.
 */
export async function repairStore(exam: StoreExamination): Promise<RepairAction[]> {
  const { ctx } = exam;
  const actions: RepairAction[] = [];
  for (const group of exam.groups) actions.push(...(await repairFeatureGroup(ctx, group)));
  actions.push(...(await repairRuns(ctx, exam.runs)));
  actions.push(...(await repairOutputs(ctx, exam.outputs)));
  let historyChanged = false;
  if (exam.history) actions.push(...(await repairHistory(ctx, exam.history)));
  if (exam.forecasts) {
    const repaired = await repairForecasts(ctx, exam.forecasts);
    actions.push(...repaired.actions);
    historyChanged = repaired.changed;
  }
  actions.push(...(await repairMonitoring(ctx, exam.monitoring, historyChanged)));
  for (const a of actions) ctx.logger?.info(`doctor: ${a.action} ${a.subject}${a.to ? ` -> ${a.to}` : ""}`, { detail: a.detail });
  return actions;
}
