import { ConfigError, PipelineError } from "../core/errors.js";
import { formatInstant, HOUR_MS } from "../time/index.js";
import { panelEnd, type Panel } from "../features/panel.js";

/** When to forecast from: `from` to `to` inclusive, every `every` hours, `horizon` hours ahead. */
export interface OriginPlan {
  /** First origin (epoch ms, the last known hour). */
  from: number;
  /** Last candidate origin (inclusive). */
  to: number;
  /** Hours between origins. */
  every: number;
  /** Hours forecast after each origin. */
  horizon: number;
}

/** The origins a backtest uses, and the candidates it had to skip. */
export interface Origins {
  origins: number[];
  /** Candidates whose horizon runs past the data's last hour. */
  skippedPastData: number[];
  /** Candidates before the data's first hour (nothing to fit on). */
  skippedBeforeData: number[];
}

/** Throws a {@link ConfigError} naming the first unusable setting of a plan. */
export function checkOriginPlan(plan: OriginPlan): void {
  const hourly = (ms: number, name: string) => {
    if (!Number.isFinite(ms) || ms % HOUR_MS !== 0)
      throw new ConfigError(`${name} must be a whole UTC hour like 2023-01-07T22:00, got ${Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms)}`);
  };
  hourly(plan.from, "--from");
  hourly(plan.to, "--to");
  if (plan.to < plan.from)
    throw new ConfigError(`--to (${formatInstant(plan.to)}) is before --from (${formatInstant(plan.from)}); give --to at or after --from`);
  if (!Number.isInteger(plan.every) || plan.every < 1) throw new ConfigError(`--every must be a whole number of hours >= 1, got ${plan.every}`);
  if (!Number.isInteger(plan.horizon) || plan.horizon < 1) throw new ConfigError(`--horizon must be a whole number of hours >= 1, got ${plan.horizon}`);
}

/**
 * The origins `from, from + every, ... <= to` that the panel can score: an origin needs its whole
 * horizon inside the data (`origin + horizon <= last hour`) and at least its own hour of history.
 * Throws when none is left, saying what the data covers.
 */
export function planOrigins(panel: Panel, plan: OriginPlan): Origins {
  checkOriginPlan(plan);
  const first = panel.start;
  const last = panelEnd(panel);
  const out: Origins = { origins: [], skippedPastData: [], skippedBeforeData: [] };
  for (let o = plan.from; o <= plan.to; o += plan.every * HOUR_MS) {
    if (o < first) out.skippedBeforeData.push(o);
    else if (o + plan.horizon * HOUR_MS > last) out.skippedPastData.push(o);
    else out.origins.push(o);
  }
  if (out.origins.length === 0) {
    throw new PipelineError(
      "backtest",
      `no origin in ${formatInstant(plan.from)}..${formatInstant(plan.to)} (every ${plan.every} h) has data before it and its ${plan.horizon} h horizon inside the data, ` +
        `which covers ${formatInstant(first)}..${formatInstant(last)}; choose origins between ${formatInstant(first)} and ${formatInstant(last - plan.horizon * HOUR_MS)}`,
    );
  }
  return out;
}
