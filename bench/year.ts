// Cost of one tick on a store holding a year of hourly forecast history, against a store one
// week old: the partitioned history (history/partitions.ts) must keep a tick's cost flat.
//
//   npx tsx bench/year.ts [--keep] [--repeats K]
//
// Builds a base store with one real tick (`energy-forecast run`, trains the model on the bundled
// data), copies it twice and writes synthetic forecast partitions straight into the copies (a
// week, a year of hourly origins for every series, the base tick's forecasts shifted), then times
// the next tick of each in a child process as the deployed CLI runs it (`node
// bin/energy-forecast.js`, under /usr/bin/time -v when there), K times (default 3), each on a
// fresh copy of the store, week and year in turn so that a slow spell of a shared host falls on
// both. Prints every time, and last the medians: {"historyRows", "tickSecondsWeek",
// "tickSecondsYear", "peakRssMbYear"} (the largest peak of the year's ticks).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ColumnTable } from "arquero";
import { readParquet } from "../src/pipeline/parquet/read.js";
import { writeParquet } from "../src/pipeline/parquet/write.js";
import { predictionsSchema } from "../src/pipeline/predict/schema.js";
import { FeatureStore } from "../src/pipeline/featurestore/store.js";
import { createLocalStorage } from "../src/pipeline/storage/local.js";
import { forecastPartKey, outputKeys } from "../src/pipeline/storage/layout.js";
import { readForecastsState, writeForecastsState } from "../src/pipeline/history/partitions.js";
import { emptyMonitoringState, writeMonitoringState } from "../src/pipeline/monitor/incremental.js";
import { HOUR_MS, visibleUntil } from "../src/pipeline/time/index.js";
import { rng } from "./util.js";

const { values: args } = parseArgs({ options: { keep: { type: "boolean", default: false }, repeats: { type: "string", default: "3" } } });
const REPEATS = Number(args.repeats);
if (!Number.isInteger(REPEATS) || REPEATS < 1) throw new Error(`--repeats must be a whole number of at least 1, got ${args.repeats}`);
const root = mkdtempSync(join(tmpdir(), "bench-year-"));
const AS_OF = Date.UTC(2023, 0, 29, 0);
const env = { ...process.env, TZ: "UTC", LOG_LEVEL: "error", TRAIN_POLICY: "never" };

function cli(store: string, asOf: number, train: string): { seconds: number; rssMb: number | null } {
  const argv = ["bin/energy-forecast.js", "--store", store, "run", "--as-of", new Date(asOf).toISOString(), "--train", train];
  const timed = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const r = timed
    ? spawnSync("/usr/bin/time", ["-v", process.execPath, ...argv], { env, encoding: "utf8" })
    : spawnSync(process.execPath, argv, { env, encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`run on ${store} failed (${r.status}): ${r.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? "");
  return { seconds, rssMb: rss ? Math.round(Number(rss[1]) / 1024) : null };
}

/** Writes hourly origins for `days` days before the base tick's origin, each the base forecasts shifted and jittered. */
async function fill(dir: string, days: number, base: ColumnTable): Promise<number> {
  const storage = createLocalStorage(dir);
  const schema = predictionsSchema((await new FeatureStore(storage, { name: "energy_consumption", version: 1 }).info()).keys);
  const origin0 = base.get("origin", 0) as number;
  const times = base.array("datetime_utc") as ArrayLike<number>;
  const cols = ["prediction", "lower_80", "upper_80", "lower_95", "upper_95"].map((c) => [c, base.array(c) as ArrayLike<number>] as const);
  const r = rng(days);
  const n = base.numRows();
  for (let h = days * 24; h >= 1; h--) {
    const origin = origin0 - h * HOUR_MS;
    const jitter = Array.from({ length: n }, () => 1 + (r() - 0.5) * 0.1);
    const t = base.assign({
      origin: new Float64Array(n).fill(origin),
      datetime_utc: Float64Array.from({ length: n }, (_, i) => times[i] - h * HOUR_MS),
      run_id: new Array<string>(n).fill(`run-synthetic-${h}`),
      ...Object.fromEntries(cols.map(([c, a]) => [c, Float64Array.from({ length: n }, (_, i) => a[i] * jitter[i])])),
    });
    await storage.write(forecastPartKey(origin), writeParquet(t, schema));
  }
  const state = (await readForecastsState(storage))!;
  const rows = state.rows + days * 24 * n;
  await writeForecastsState(storage, { ...state, rows });
  // Monitored up to the base tick, as an hourly-ticked store would be: the timed tick scores only its new hours.
  await writeMonitoringState(storage, { ...emptyMonitoringState(), scoredUntil: visibleUntil(AS_OF, 15) });
  return rows;
}

try {
  const base = join(root, "base");
  console.log(`building the base store (one trained tick as of ${new Date(AS_OF).toISOString()})...`);
  cli(base, AS_OF, "always");
  const predictions = readParquet(await createLocalStorage(base).read(outputKeys.predictions)) as ColumnTable;
  const out: Record<string, number> = {};
  const rows: Record<string, number> = {};
  const ticks: Record<string, Array<{ seconds: number; rssMb: number | null }>> = { week: [], year: [] };
  const stores = [
    ["week", 7],
    ["year", 365],
  ] as const;
  for (const [name, days] of stores) {
    const dir = join(root, name);
    cpSync(base, dir, { recursive: true });
    const t0 = performance.now();
    rows[name] = await fill(dir, days, predictions);
    console.log(`${name}: ${rows[name]} history rows written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (let k = 0; k < REPEATS; k++) {
    for (const [name] of stores) {
      const dir = join(root, `${name}-tick-${k}`);
      cpSync(join(root, name), dir, { recursive: true });
      const tick = cli(dir, AS_OF + HOUR_MS, "never");
      ticks[name].push(tick);
      console.log(`${name}: tick ${k + 1}/${REPEATS} ${tick.seconds.toFixed(2)} s, peak RSS ${tick.rssMb ?? "?"} MB`);
      if (!args.keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  out.historyRows = rows.year;
  out.tickSecondsWeek = Number(median(ticks.week.map((t) => t.seconds)).toFixed(2));
  out.tickSecondsYear = Number(median(ticks.year.map((t) => t.seconds)).toFixed(2));
  const rss = ticks.year.map((t) => t.rssMb).filter((m): m is number => m !== null);
  if (rss.length > 0) out.peakRssMbYear = Math.max(...rss);
  console.log(`year / week (medians of ${REPEATS}): ${(out.tickSecondsYear / out.tickSecondsWeek).toFixed(2)}`);
  console.log(JSON.stringify(out));
} finally {
  if (!args.keep) rmSync(root, { recursive: true, force: true });
  else console.log(`stores kept in ${root}`);
}
