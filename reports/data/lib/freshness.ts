/**
 * How fresh the store's data is, for the Overview's "Data up to" card. Judged twice: against what
 * the latest run could see (its `visibleUntil`), and against what the source's publication delay
 * allows at the time the report is built. The second check is what makes a store that nobody has
 * run for months (2023 data in a report built today) show red, even though its last run was
 * complete for its own as-of.
 */
import { HOUR_MS } from "../../../src/pipeline/index.js";

/** A card state, worst last. */
export type FreshnessState = "none" | "ok" | "warn" | "bad";

/** The verdict the page shows. */
export interface Freshness {
  state: FreshnessState;
  /** Hours the latest observation is behind what the latest run could see; null without a run. */
  behindRun: number | null;
  /** Hours the latest observation is behind what the publication delay allows at build time. */
  behindBuild: number | null;
  /** The card's sub-line. */
  text: string;
}

/** What {@link freshness} judges. Times are epoch ms or ISO text. */
export interface FreshnessInput {
  /** Start of the latest observed hour, or null when the store holds no data. */
  last: number | null;
  /** Rows in the feature store (shown when there is nothing to judge). */
  rows: number;
  /** The source's publication delay, in days. */
  delayDays: number;
  /** End (excluded) of the data the latest successful run could see; null without a run. */
  visibleUntil: string | null;
  /** When the report was built (ISO). */
  builtAt: string;
}

/**
 * Hours behind build-time expectations that still count as fresh: the runs are scheduled daily,
 * so a report built just before the next run is a day behind without anything being wrong.
 */
export const BUILD_GRACE_HOURS = 25;
/** Hours behind build-time expectations before the card turns red (a few missed daily runs). */
export const BUILD_WARN_HOURS = 72;

const RANK: Record<FreshnessState, number> = { none: 0, ok: 1, warn: 2, bad: 3 };

/** Judges the data's freshness against the latest run and against the build time. */
export function freshness(input: FreshnessInput): Freshness {
  const { last, rows, delayDays, visibleUntil, builtAt } = input;
  if (last === null) return { state: "none", behindRun: null, behindBuild: null, text: `${rows.toLocaleString("en-US")} rows in the feature store` };
  const behindRun = visibleUntil === null ? null : (Date.parse(visibleUntil) - HOUR_MS - last) / HOUR_MS;
  // The newest hour the source can have published by build time: the hour starting one hour
  // before (build time - delay), the same rule as a run's window end.
  const allowed = Math.floor((Date.parse(builtAt) - delayDays * 24 * HOUR_MS) / HOUR_MS) * HOUR_MS - HOUR_MS;
  const behindBuild = (allowed - last) / HOUR_MS;
  const runState: FreshnessState = behindRun === null ? "none" : behindRun <= 1 ? "ok" : behindRun <= 24 ? "warn" : "bad";
  const buildState: FreshnessState = behindBuild <= BUILD_GRACE_HOURS ? "ok" : behindBuild <= BUILD_WARN_HOURS ? "warn" : "bad";
  const state = RANK[buildState] > RANK[runState] ? buildState : runState;
  const delay = `${delayDays}-day publication delay`;
  let text: string;
  if (RANK[buildState] > RANK[runState]) text = `${span(behindBuild)} behind what the ${delay} allows at build time`;
  else if (behindRun !== null && behindRun > 1) text = `${behindRun} h behind what the ${delay} allows`;
  else text = `complete: the source publishes with a ${delayDays}-day delay`;
  return { state, behindRun, behindBuild, text };
}

/** `30 h`, or `418 days` from two days up. */
function span(hours: number): string {
  return hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} days`;
}

/**
 * The "Last run" card's state: a failed latest run is bad; otherwise the age of the last successful
 * run at build time, on the same scale as the data (the runs are scheduled daily, so up to
 * {@link BUILD_GRACE_HOURS} is fine, up to {@link BUILD_WARN_HOURS} a warning, beyond that bad).
 */
export function lastRunState(finishedAt: string, builtAt: string, failedSince: boolean): FreshnessState {
  if (failedSince) return "bad";
  const hours = (Date.parse(builtAt) - Date.parse(finishedAt)) / HOUR_MS;
  return hours <= BUILD_GRACE_HOURS ? "ok" : hours <= BUILD_WARN_HOURS ? "warn" : "bad";
}
