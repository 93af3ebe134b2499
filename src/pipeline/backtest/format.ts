import { formatInstant } from "../time/index.js";
import type { KeyValue } from "../series/key.js";
import type { BacktestResult } from "./engine.js";
import type { ErrorSummary } from "./metrics.js";

/** Errors of one breakdown entry in the JSON (fractions; null where undefined). */
export interface BreakdownErrors {
  mape: number;
  rmspe: number;
  coverage80: number;
  n: number;
}

/** The JSON the CLI prints with `--json` (errors as fractions, times in seconds). */
export interface BacktestJson {
  origins: number;
  horizon: number;
  models: Array<{
    name: string;
    /** Pooled over every (series, hour) point. */
    mape: number;
    /** Mean over series of each series' MAPE. */
    meanSeriesMape: number;
    /** Median over series of each series' MAPE. */
    medianSeriesMape: number;
    rmspe: number;
    coverage80: number;
    fitSeconds: number;
    predictSeconds: number;
    /** Per origin (ISO), always: one good day must not hide a bad one. */
    byOrigin: Array<{ origin: string } & BreakdownErrors>;
    /** With `--by horizon`: per horizon step. */
    byStep?: Array<{ step: number } & BreakdownErrors>;
    /** With `--by series`: per series, its key named by key column (`{"site": "north", "meter": "m-01"}`). */
    bySeries?: Array<{ key: Record<string, KeyValue> } & BreakdownErrors>;
  }>;
  default: string;
}

/** What breakdowns the human-readable report (and, with `--json`, the JSON) adds; `origin` is always on. */
export type Breakdown = "horizon" | "series" | "origin";

/**
 * The `--json` summary of a backtest; `defaultModel` names the model training uses by default.
 * Every model carries the pooled MAPE, the mean and median of its per-series MAPEs and its errors
 * per origin; each other breakdown in `by` adds its list.
 */
export function backtestJson(r: BacktestResult, defaultModel: string, by: Breakdown[] = []): BacktestJson {
  const errors = (e: ErrorSummary): BreakdownErrors => ({ mape: round(e.mape, 6), rmspe: round(e.rmspe, 6), coverage80: round(e.coverage80, 6), n: e.n });
  return {
    origins: r.origins.length,
    horizon: r.plan.horizon,
    models: r.models.map((m) => ({
      name: m.name,
      mape: round(m.mape, 6),
      meanSeriesMape: round(m.seriesMape.mean, 6),
      medianSeriesMape: round(m.seriesMape.median, 6),
      rmspe: round(m.rmspe, 6),
      coverage80: round(m.coverage80, 6),
      fitSeconds: round(m.fitSeconds, 3),
      predictSeconds: round(m.predictSeconds, 3),
      byOrigin: m.byOrigin.map((x) => ({ origin: new Date(x.origin).toISOString(), ...errors(x) })),
      ...(by.includes("horizon") ? { byStep: m.byStep.map((x) => ({ step: x.step, ...errors(x) })) } : {}),
      ...(by.includes("series") ? { bySeries: m.bySeries.map((x) => ({ key: x.key, ...errors(x) })) } : {}),
    })),
    default: defaultModel,
  };
}

/** A human-readable report: the plan, one line per model, and the requested breakdowns. */
export function formatBacktest(r: BacktestResult, source: string, defaultModel: string, by: Breakdown[] = []): string {
  const lines: string[] = [];
  const o = r.origins;
  lines.push(`backtest of ${source}`);
  lines.push(
    `  origins    ${o.length}: ${formatInstant(o[0])} .. ${formatInstant(o[o.length - 1])} every ${r.plan.every} h, horizon ${r.plan.horizon} h; each fits on the history up to its origin`,
  );
  const skipped = [
    r.skippedPastData.length > 0 ? `${r.skippedPastData.length} whose horizon runs past the data (${r.skippedPastData.map(formatInstant).join(", ")})` : "",
    r.skippedBeforeData.length > 0 ? `${r.skippedBeforeData.length} before the data` : "",
  ].filter(Boolean);
  if (skipped.length > 0) lines.push(`  skipped    ${skipped.join("; ")}`);
  lines.push(
    `  intervals  conformal, per step, from residuals known at each origin${r.warmupOrigins.length > 0 ? ` (warm-up origin ${r.warmupOrigins.map(formatInstant).join(", ")})` : ""}`,
  );
  lines.push("");
  const rows = r.models.map((m) => [
    m.name + (m.name === defaultModel ? " *" : ""),
    pct(m.mape),
    pct(m.seriesMape.mean),
    pct(m.seriesMape.median),
    pct(m.rmspe),
    pct(m.coverage80, 1),
    pct(m.coverage95, 1),
    m.fitSeconds.toFixed(2),
    m.predictSeconds.toFixed(3),
    m.missing > 0 ? String(m.missing) : "",
  ]);
  lines.push(...table(["model", "MAPE", "series mean", "series median", "RMSPE", "cover80", "cover95", "fit s", "predict s", "missing"], rows));
  lines.push(
    `  (* = ${defaultModel}, the default model) MAPE, RMSPE and coverages pooled over the (series, hour) points; series mean/median: of each series' own MAPE`,
  );
  lines.push("  times summed over every fit and forecast, warm-up included");
  // Always shown: a pooled figure over a few origins can hide one day the model got badly wrong.
  lines.push("", "MAPE by origin");
  lines.push(
    ...table(
      ["origin", ...r.models.map((m) => m.name)],
      o.map((t, i) => [formatInstant(t), ...r.models.map((m) => pct(m.byOrigin[i].mape))]),
    ),
  );
  if (by.includes("horizon")) {
    lines.push("", "MAPE (and 80 % coverage) by horizon step");
    const steps = r.models[0]?.byStep.length ?? 0;
    lines.push(
      ...table(
        ["step", ...r.models.map((m) => m.name)],
        Array.from({ length: steps }, (_, i) => [String(i + 1), ...r.models.map((m) => `${pct(m.byStep[i].mape)} (${pct(m.byStep[i].coverage80, 0)})`)]),
      ),
    );
  }
  if (by.includes("series")) {
    const first = r.models[0];
    const names = Object.keys(first?.bySeries[0]?.key ?? {});
    lines.push("", `MAPE by series (${names.join(", ")})`);
    lines.push(
      ...table(
        [...names, ...r.models.map((m) => m.name)],
        (first?.bySeries ?? []).map((s, i) => [...names.map((n) => String(s.key[n])), ...r.models.map((m) => pct(m.bySeries[i].mape))]),
      ),
    );
  }
  return lines.join("\n") + "\n";
}

function pct(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "-";
}

function round(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => "  " + cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(header), ...rows.map(line)];
}
