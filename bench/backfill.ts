// An hourly backfill over the bundled data, in one process as `energy-forecast backfill` runs it:
// time per tick (mean, p50, p95), total time, peak memory, and the resident memory every
// `--sample` ticks, to show whether memory stays flat over a long backfill (issue 4: 720 ticks).
//
//   npx tsx bench/backfill.ts [--ticks 720] [--every 1] [--from <iso>] [--train max-age:168]
//                             [--sample 50] [--store <dir>] [--keep]
//
// Not part of `npm test` (it takes minutes). Configuration comes from the environment as for the
// CLI (TRAIN_FOLDS, DATA_DELAY_DAYS, SOURCE...). Without --from the first tick is the earliest
// as-of at which the data visible then is enough to train (14 days of history plus the folds).
import { mkdtempSync, rmSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/pipeline/config/config.js";
import { DAY_MS, formatInstant, HOUR_MS, parseInstant } from "../src/pipeline/time/index.js";
import { consoleLogger, systemClock } from "../src/pipeline/core/effects.js";
import { openSource } from "../src/pipeline/ingest/open-source.js";
import { parseTrainPolicy } from "../src/pipeline/run/policy.js";
import { runTick, type TickOptions } from "../src/pipeline/run/tick.js";
import { createLocalStorage } from "../src/pipeline/storage/local.js";
import { forecasterFactory } from "../src/pipeline/train/candidates.js";
import { peakMb } from "./util.js";

const { values: args } = parseArgs({
  options: {
    ticks: { type: "string", default: "720" },
    every: { type: "string", default: "1" },
    from: { type: "string" },
    train: { type: "string", default: "max-age:168" },
    sample: { type: "string", default: "50" },
    store: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const ticks = positiveInt(args.ticks, "--ticks");
const every = positiveInt(args.every, "--every");
const sampleEvery = positiveInt(args.sample, "--sample");

function positiveInt(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got "${raw}"`);
  return n;
}

const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
const seconds = (ms: number) => (ms / 1000).toFixed(2);

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function dirSize(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    total += entry.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

function memoryLine(label: string): string {
  const m = process.memoryUsage();
  return `${label.padEnd(12)} rss ${String(mb(m.rss)).padStart(5)} MB (peak ${String(peakMb()).padStart(5)})  heap ${String(mb(m.heapUsed)).padStart(4)} MB  external ${String(mb(m.external)).padStart(4)} MB  arrayBuffers ${String(mb(m.arrayBuffers)).padStart(4)} MB`;
}

const dir = args.store ? resolve(args.store) : mkdtempSync(join(tmpdir(), "bench-backfill-"));
const config = loadConfig({ ...process.env }, { store: pathToFileURL(dir).href, logLevel: "error" });
// Errors only: every early tick warns that its 30-day window reaches before the data's start.
const logger = consoleLogger("error");
const storage = createLocalStorage(dir);
const source = openSource(config, logger);
const f = config.forecast;
const options: Omit<TickOptions, "asOf"> = {
  config,
  source,
  model: f.model,
  create: forecasterFactory(f.model, f.horizon),
  trainPolicy: parseTrainPolicy(args.train),
  alerts: { maxMape7d: config.alerts.maxMape7d, minCoverage80: config.alerts.minCoverage80 },
  horizon: f.horizon,
  folds: f.folds,
  lookbackDays: f.lookbackDays,
};
const extent = await source.extent(config.dataset);
if (!extent) throw new Error(`${source.description} has no known extent; pass --from`);
const delay = config.window.delayDays * DAY_MS;
// Training needs 14 days before its first fold, the folds one day apart, and the horizon after the last.
const earliest = Math.ceil((extent.start + 14 * DAY_MS + (f.folds - 1) * DAY_MS + f.horizon * HOUR_MS + HOUR_MS + delay) / HOUR_MS) * HOUR_MS;
const from = args.from ? parseInstant(args.from, "--from") : earliest;
const last = from + (ticks - 1) * every * HOUR_MS;
const newData = Math.max(0, Math.min(ticks, Math.ceil((extent.end + delay - from) / (every * HOUR_MS))));

console.log(`node ${process.version}, ${new Date().toISOString()}, store ${dir}`);
console.log(
  `backfill ${ticks} ticks every ${every} h from ${formatInstant(from)} to ${formatInstant(last)}; model ${f.model}, train ${args.train}, ` +
    `${f.folds} folds, data delay ${config.window.delayDays} d, source ${source.description}`,
);
console.log(
  `the source holds ${formatInstant(extent.start)}..${formatInstant(extent.end)}: ticks 1..${newData} see new data, ` +
    `${ticks - newData} more see no new hour (same work, no growth of the forecast history)`,
);
console.log(memoryLine("start"));

const durations: number[] = [];
const stepTotals: Record<string, number> = {};
// Per-step totals since the last sample, to show whether a step slows down as the backfill goes on.
let windowSteps: Record<string, number> = {};
let windowStart = 0;
let trained = 0;
const t0 = performance.now();
for (let i = 0; i < ticks; i++) {
  const asOf = from + i * every * HOUR_MS;
  const start = performance.now();
  const ctx = { storage, group: config.featureGroup, runId: `run-bench-${String(i + 1).padStart(4, "0")}`, clock: systemClock, logger };
  const manifest = await runTick(ctx, { ...options, asOf });
  durations.push(performance.now() - start);
  for (const [step, ms] of Object.entries(manifest.durationsMs)) {
    stepTotals[step] = (stepTotals[step] ?? 0) + ms;
    windowSteps[step] = (windowSteps[step] ?? 0) + ms;
  }
  if (manifest.train.trained) trained++;
  if ((i + 1) % sampleEvery === 0 || i === ticks - 1) {
    const mape = manifest.monitor.mape7d === null ? "-" : `${(manifest.monitor.mape7d * 100).toFixed(2)}%`;
    const n = i + 1 - windowStart;
    const windowMean = durations.slice(windowStart).reduce((a, b) => a + b, 0) / n;
    const steps = Object.entries(windowSteps)
      .filter(([, ms]) => ms / n >= 5)
      .map(([k, ms]) => `${k} ${seconds(ms / n)}`)
      .join(" ");
    console.log(
      `${memoryLine(`tick ${i + 1}`)}  elapsed ${seconds(performance.now() - t0)} s  mean tick ${seconds(windowMean)} s (${steps})  ` +
        `history ${manifest.monitor.forecasts} rows  7-day MAPE ${mape}`,
    );
    windowSteps = {};
    windowStart = i + 1;
  }
}
const totalMs = performance.now() - t0;
const sorted = durations.slice().sort((a, b) => a - b);
const mean = durations.reduce((s, d) => s + d, 0) / durations.length;
console.log(
  `\n${ticks} ticks in ${seconds(totalMs)} s: per tick mean ${seconds(mean)} s, p50 ${seconds(quantile(sorted, 0.5))} s, ` +
    `p95 ${seconds(quantile(sorted, 0.95))} s, max ${seconds(sorted[sorted.length - 1])} s; ${trained} ticks trained`,
);
console.log(
  `mean per step: ${Object.entries(stepTotals)
    .map(([k, v]) => `${k} ${seconds(v / ticks)} s`)
    .join(", ")}`,
);
console.log(`peak memory (maxRSS) ${peakMb()} MB; store ${mb(dirSize(dir))} MB on disk`);
if (!args.keep && !args.store) rmSync(dir, { recursive: true, force: true });
