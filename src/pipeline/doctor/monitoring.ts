/**
 * Doctor's view of incremental monitoring (monitor/incremental.ts): `monitoring/state.json`
 * parses as monitoring's state, and every `monitoring/days/date=<day>.json` as the sums of a day.
 * Both are recomputable from the forecast partitions: without a state, the next monitor scores
 * every day again from the first origin on and rewrites each day's sums.
 *
 * Repair sets damaged day files aside under `damaged/`, and sets the state aside (never deletes
 * it) when it is damaged, when a day file was, or when the forecast history changed, so that the
 * next monitor rescores from the partitions.
 */
import { MONITORING_DAY_KEY, MONITORING_STATE_KEY } from "../storage/layout.js";
import type { DoctorContext } from "./context.js";
import type { Finding, RepairAction } from "./report.js";
import { setAside } from "./set-aside.js";

/** What doctor found of monitoring's files. */
export interface MonitoringExamination {
  state: "absent" | "ok" | "not json" | "invalid";
  /** Day files that do not parse as a day's sums. */
  damagedDays: Array<{ key: string; problem: string }>;
  /** Day files read. */
  days: number;
}

const RESCORE = "the next monitor rescores every day from the forecast partitions";

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Examines monitoring's state and day files, adding findings. */
export async function examineMonitoring(ctx: DoctorContext, findings: Finding[]): Promise<MonitoringExamination> {
  const m: MonitoringExamination = { state: "absent", damagedDays: [], days: 0 };
  if (ctx.keys.includes(MONITORING_STATE_KEY)) {
    const parsed = parseJson(await ctx.storage.read(MONITORING_STATE_KEY));
    const valid =
      isRecord(parsed) &&
      parsed.format === "energy-forecast/monitoring-state" &&
      (parsed.scoredUntil === null || typeof parsed.scoredUntil === "number") &&
      (parsed.dirtyFrom === null || typeof parsed.dirtyFrom === "number") &&
      isRecord(parsed.days);
    m.state = valid ? "ok" : parsed === undefined ? "not json" : "invalid";
    if (m.state === "not json") {
      findings.push({
        area: "monitoring",
        severity: "warning",
        subject: MONITORING_STATE_KEY,
        message: `monitoring's state is not JSON: ${RESCORE} and writes it again`,
        repair: `set it aside under damaged/ (${RESCORE})`,
      });
    } else if (m.state === "invalid") {
      findings.push({
        area: "monitoring",
        severity: "problem",
        subject: MONITORING_STATE_KEY,
        message: "monitoring's state is not a monitoring state (format energy-forecast/monitoring-state); every monitor fails on it",
        repair: `set it aside under damaged/ (${RESCORE})`,
      });
    }
  }
  for (const key of ctx.keys) {
    const match = MONITORING_DAY_KEY.exec(key);
    if (!match) continue;
    m.days++;
    const parsed = parseJson(await ctx.storage.read(key));
    const valid =
      isRecord(parsed) &&
      parsed.format === "energy-forecast/monitoring-day" &&
      parsed.day === match[1] &&
      ["seriesHour", "step", "model", "origin"].every((k) => Array.isArray(parsed[k]));
    if (valid) continue;
    const problem = parsed === undefined ? "is not JSON" : `is not monitoring's sums of day ${match[1]}`;
    m.damagedDays.push({ key, problem });
    findings.push({
      area: "monitoring",
      severity: "problem",
      subject: key,
      message: `${problem}; every monitor whose window holds the day fails on it`,
      repair: `set it aside under damaged/ and set monitoring's state aside (${RESCORE})`,
    });
  }
  return m;
}

/**
 * Repairs monitoring's files: damaged day files set aside; the state set aside when damaged, when
 * a day file was, or when `historyChanged` (the forecast partitions were rebuilt or filled in).
 */
export async function repairMonitoring(ctx: DoctorContext, m: MonitoringExamination, historyChanged: boolean): Promise<RepairAction[]> {
  const actions: RepairAction[] = [];
  for (const d of m.damagedDays) {
    const to = await setAside(ctx.storage, d.key);
    if (to) actions.push({ area: "monitoring", action: "set aside", subject: d.key, to, detail: `the day file ${d.problem}` });
  }
  const damaged = m.state === "not json" || m.state === "invalid";
  if (m.state === "absent" || !(damaged || m.damagedDays.length > 0 || historyChanged)) return actions;
  const to = await setAside(ctx.storage, MONITORING_STATE_KEY);
  if (to) {
    const why = damaged
      ? "monitoring's state did not parse"
      : m.damagedDays.length > 0
        ? "a day file of monitoring did not parse"
        : "the forecast history changed";
    actions.push({ area: "monitoring", action: "set aside", subject: MONITORING_STATE_KEY, to, detail: `${why}: ${RESCORE}` });
  }
  return actions;
}
