/**
 * Scale of a sharded run (issue 12): `npx tsx bench/scale.ts [--series 1000,10000,100000]
 * [--shards 1,8] [--days 9] [--dir DIR] [--keep] [--only-shard K] [--no-finish]` (or `npm run bench --
 * scale`, opt-in: minutes). `--only-shard K` runs prepare and predict shard K of each shard count
 * only (no other shard, no finish): one engine task's cost, without waiting for the whole run;
 * `--no-finish` runs every shard but not finish.
 *
 * For each N series x each shard count S it runs the three stages of a tick
 * (`run --stage prepare`, `run --stage predict --shard K/S` for K = 0..S-1, `run --stage finish`)
 * as separate CLI processes (`node bin/energy-forecast.js`), ONE AFTER ANOTHER, so each predict
 * shard sees the machine as one engine task would (alone), and records per process wall seconds,
 * CPU seconds (user + sys) and peak RSS from `/usr/bin/time -f "%e %U %S %M"`.
 *
 * Setup (not measured):
 * - Data: the seeded synthetic width panel (bench/lib/synthetic-panel.ts, keys `region` int32 and
 *   `meter` text), `--days` days (default 9 = LOOKBACK_DAYS: the default model `gbm-blend` needs
 *   a week and a day of history, 192 h, per series) from 2023-04-24T00:00Z, written straight into
 *   the feature store through the pipeline's FeatureStore API (one upsert per day), in a child
 *   process. Series i is the same in every N (the generator's contract).
 * - Model: trained ONCE by `energy-forecast train --search none --folds 1` on a separate store of
 *   the first 2,000 series (DEFAULT_TRAIN_MAX_SERIES, the bound a wide panel's training samples
 *   down to) x 16 days (the first fold needs 14 days of history), then its registry folder (`models/`) is copied into every benchmark store.
 *   Every run uses TRAIN_POLICY=never, so prepare never trains: it ingests (nothing new: the
 *   source file holds only the stored last hour, REVISION_HOURS=0), decides, and pins the window.
 * - Settings of every stage: DATA_DELAY_DAYS=0, LOOKBACK_DAYS=9, FORECAST_HORIZON 24 (default),
 *   --as-of = the hour after the panel's last.
 *
 * Prints a markdown table, total predict CPU per series and total tick CPU (prepare, every shard,
 * finish) per series for each N and S, and last one JSON line: `{"rows":[{series, shards, stage,
 * shard, wallS, cpuS, peakRssMb}], "predictShardMaxWallS100k8", "predictShardMaxRssMb100k8",
 * "predictCpuPerSeries", "totalCpu", ...}`.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { loadConfig } from "../src/pipeline/config/config.js";
import { datasetInfo } from "../src/pipeline/dataset/spec.js";
import { FeatureStore } from "../src/pipeline/featurestore/store.js";
import { createLocalStorage } from "../src/pipeline/storage/local.js";
import { DAY_MS, HOUR_MS } from "../src/pipeline/time/index.js";
import { WIDTH_KEYS, WIDTH_START, widthPanel } from "./lib/synthetic-panel.js";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const list = (raw: string | undefined, dflt: number[]) => (raw === undefined ? dflt : raw.split(",").map((x) => Number(x.trim())));

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "bin/energy-forecast.js");
const LOOKBACK_DAYS = 9;
const TRAIN_SERIES = 2000;
const TRAIN_DAYS = 16;
/** Heap limit of a stage measured again after running out of Node's default heap. */
const BIG_HEAP_MB = 16384;

/** The environment every CLI stage runs with (store and source added per store). */
function stageEnv(store: string, source: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TZ: "UTC",
    STORE_URI: store,
    SOURCE: `file:${source}`,
    KEYS: "region:int,meter",
    TIME_COLUMN: "hour_utc",
    TIME_ZONE: "UTC",
    VALUE_COLUMN: "kwh",
    UNIT: "kWh",
    DATA_DELAY_DAYS: "0",
    REVISION_HOURS: "0",
    LOOKBACK_DAYS: String(LOOKBACK_DAYS),
    TRAIN_POLICY: "never",
    TRAIN_FOLDS: "1",
    LOCK_WAIT_SECONDS: "0",
  };
}

/** Child mode: builds the store of `series` x `days` and the one-hour source file. */
async function buildStore(series: number, days: number, dir: string): Promise<void> {
  const t0 = performance.now();
  const store = join(dir, "store");
  const source = join(dir, "source.csv");
  const env = stageEnv(store, source);
  const config = loadConfig(env, {}, ROOT);
  const info = datasetInfo(config.dataset);
  if (JSON.stringify(info.keys.map((k) => [k.name, k.type])) !== JSON.stringify(WIDTH_KEYS.map((k) => [k.name, k.type]))) {
    throw new Error(`KEYS gives ${JSON.stringify(info.keys)}, the panel has ${JSON.stringify(WIDTH_KEYS)}`);
  }
  const { panel } = widthPanel({ series, days });
  const storage = createLocalStorage(store);
  const fs = new FeatureStore(storage, { name: config.featureGroup.name, version: config.featureGroup.version }, undefined, info);
  const n = panel.keys.length;
  const regions = Int32Array.from(panel.keys, (k) => k[0] as number);
  const meters = panel.keys.map((k) => k[1] as string);
  for (let d = 0; d < days; d++) {
    const rows = n * 24;
    const time = new Float64Array(rows);
    const region = new Int32Array(rows);
    const meter = new Array<string>(rows);
    const value = new Float64Array(rows);
    let r = 0;
    for (let s = 0; s < n; s++) {
      for (let h = 0; h < 24; h++, r++) {
        const t = d * 24 + h;
        time[r] = panel.start + t * HOUR_MS;
        region[r] = regions[s];
        meter[r] = meters[s];
        value[r] = panel.values[s][t];
      }
    }
    const table = aq.table({ datetime_utc: time, region, meter, energy_consumption: value }) as ColumnTable;
    await fs.upsert(table, `bench-scale-build-${d}`, new Date());
  }
  // The source: only the stored last hour, so prepare's ingest finds nothing new (REVISION_HOURS=0).
  const last = panel.start + (panel.hours - 1) * HOUR_MS;
  const lines = ["hour_utc,region,meter,kwh"];
  for (let s = 0; s < n; s++) lines.push(`${new Date(last).toISOString()},${regions[s]},${meters[s]},${panel.values[s][panel.hours - 1]}`);
  writeFileSync(source, lines.join("\n") + "\n");
  console.log(`built ${series} series x ${days} days in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

interface Measured {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  status: number;
  stderrTail: string;
  /** The process ran out of V8's heap. */
  oom: boolean;
}

/** Runs `node args` under /usr/bin/time, alone; wall, user+sys CPU and peak RSS of the process. */
function measure(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Measured {
  const out = join(tmpdir(), `bench-scale-time-${process.pid}.txt`);
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", "-o", out, process.execPath, ...nodeArgs, ...args], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const [e, u, s, m] = readFileSync(out, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  rmSync(out, { force: true });
  return {
    wallS: e,
    cpuS: Math.round((u + s) * 100) / 100,
    peakRssMb: Math.round(m / 1024),
    status: r.status ?? -1,
    stderrTail: (r.stderr ?? "").trim().split("\n").slice(-5).join("\n"),
    oom: /heap out of memory|Reached heap limit/i.test(r.stderr ?? ""),
  };
}

/** Starts the CLI once untimed, so a changed src/ is compiled before (not inside) a measured process. */
function warmCli(env: NodeJS.ProcessEnv): void {
  spawnSync(process.execPath, [CLI, "--help"], { cwd: ROOT, env, stdio: "ignore" });
}

function sh(args: string[], env: NodeJS.ProcessEnv, what: string): void {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${(r.stderr ?? "").slice(-3000)}\n${(r.stdout ?? "").slice(-1000)}`);
}

interface Row {
  series: number;
  shards: number;
  stage: "prepare" | "predict" | "finish";
  shard: string;
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  load1: number;
  ok: boolean;
}

async function main(): Promise<void> {
  if (argv.includes("--build-store")) {
    await buildStore(Number(flag("--n")), Number(flag("--days")), flag("--dir")!);
    return;
  }
  const seriesList = list(flag("--series"), [1000, 10000, 100000]);
  const shardList = list(flag("--shards"), [1, 8]);
  const days = Number(flag("--days") ?? LOOKBACK_DAYS);
  const base = resolve(flag("--dir") ?? join(tmpdir(), "energy-forecast-bench-scale"));
  const keep = argv.includes("--keep");
  const onlyShard = flag("--only-shard") === undefined ? undefined : Number(flag("--only-shard"));
  const noFinish = argv.includes("--no-finish") || onlyShard !== undefined;
  const asOf = new Date(WIDTH_START + days * DAY_MS).toISOString();
  const notes: string[] = [];
  console.log(`scale: series ${seriesList.join(",")}, shards ${shardList.join(",")}, ${days} days, as-of ${asOf}, dir ${base}`);
  console.log(
    `node ${process.version}, load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  mkdirSync(base, { recursive: true });

  // The model, once: trained on a separate store of the first TRAIN_SERIES series.
  const trainDir = join(base, `train-${TRAIN_SERIES}x${TRAIN_DAYS}`);
  const trainEnv = stageEnv(join(trainDir, "store"), join(trainDir, "source.csv"));
  // The cached model is retrained when the code that defines models and features changed.
  const modelKey = sourceHash(["src/pipeline/models", "src/pipeline/features"]);
  const keyFile = join(trainDir, "model-key.txt");
  if (!existsSync(join(trainDir, "store/models")) || !existsSync(keyFile) || readFileSync(keyFile, "utf8") !== modelKey) {
    rmSync(trainDir, { recursive: true, force: true });
    mkdirSync(trainDir, { recursive: true });
    sh(
      ["--import", "tsx", "bench/scale.ts", "--build-store", "--n", String(TRAIN_SERIES), "--days", String(TRAIN_DAYS), "--dir", trainDir],
      trainEnv,
      "building the training store",
    );
    warmCli(trainEnv);
    const t = measure([CLI, "train", "--search", "none", "--folds", "1", "--json"], trainEnv);
    if (t.status !== 0) throw new Error(`train failed:\n${t.stderrTail}`);
    console.log(
      `model: trained on ${TRAIN_SERIES} series x ${TRAIN_DAYS} days (train --search none --folds 1): ${t.wallS} s wall, ${t.cpuS} s CPU, ${t.peakRssMb} MB`,
    );
    writeFileSync(keyFile, modelKey);
  }
  notes.push(
    `model gbm-blend trained once on the first ${TRAIN_SERIES} series x ${TRAIN_DAYS} days (separate store; train --search none --folds 1), registry copied into each store; TRAIN_POLICY=never`,
  );

  // The fixed cost of a CLI process: start, parse, exit (`--help`), for reading the rows below.
  warmCli(trainEnv);
  const help = measure([CLI, "--help"], trainEnv);
  notes.push(`CLI start alone (node bin/energy-forecast.js --help): ${help.wallS} s wall, ${help.cpuS} s CPU, ${help.peakRssMb} MB`);
  console.log(`baseline: ${notes[notes.length - 1]}`);

  const rows: Row[] = [];
  for (const n of seriesList) {
    const dataDir = join(base, `data-${n}x${days}`);
    if (!existsSync(join(dataDir, "source.csv"))) {
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      const t0 = performance.now();
      sh(
        ["--max-old-space-size=8192", "--import", "tsx", "bench/scale.ts", "--build-store", "--n", String(n), "--days", String(days), "--dir", dataDir],
        trainEnv,
        `building the store of ${n} series`,
      );
      console.log(`store: ${n} series x ${days} days built in ${((performance.now() - t0) / 1000).toFixed(0)} s (setup, not measured)`);
    }
    for (const shards of shardList) {
      // A fresh copy of the store per shard count, with the model registered.
      const runDir = join(base, `run-${n}-${shards}`);
      rmSync(runDir, { recursive: true, force: true });
      cpSync(join(dataDir, "store"), join(runDir, "store"), { recursive: true });
      cpSync(join(trainDir, "store/models"), join(runDir, "store/models"), { recursive: true });
      const env = stageEnv(join(runDir, "store"), join(dataDir, "source.csv"));
      const runId = `scale-${n}-${shards}`;
      const stage = (st: Row["stage"], shard: string, args: string[]): boolean => {
        warmCli(env);
        let load1 = loadavg()[0];
        let m = measure([CLI, "run", "--stage", st, "--run-id", runId, ...args], env);
        let heap = "";
        if (m.status !== 0 && m.oom) {
          // Node's default heap limit (about 4.3 GB here) was too small: say so, and measure again with a larger one.
          notes.push(
            `${n} series, ${shards} shard(s): ${st} ${shard} ran out of Node's default heap (exit ${m.status} after ${m.wallS} s, ${m.peakRssMb} MB); measured again with --max-old-space-size=${BIG_HEAP_MB}`,
          );
          console.log(`note: ${notes[notes.length - 1]}`);
          heap = ` (heap ${BIG_HEAP_MB} MB)`;
          load1 = loadavg()[0];
          m = measure([CLI, "run", "--stage", st, "--run-id", runId, ...args], { ...env, NODE_OPTIONS: `--max-old-space-size=${BIG_HEAP_MB}` });
        }
        const ok = m.status === 0;
        rows.push({
          series: n,
          shards,
          stage: st,
          shard: shard + heap,
          wallS: m.wallS,
          cpuS: m.cpuS,
          peakRssMb: m.peakRssMb,
          load1: Math.round(load1 * 100) / 100,
          ok,
        });
        console.log(
          `${String(n).padStart(6)} series  ${shards} shard(s)  ${st.padEnd(7)} ${shard.padEnd(4)} wall ${m.wallS.toFixed(2).padStart(7)} s  cpu ${m.cpuS.toFixed(2).padStart(7)} s  peak ${String(m.peakRssMb).padStart(5)} MB  load1 ${load1.toFixed(2)}${ok ? "" : `  FAILED exit ${m.status}`}`,
        );
        if (!ok) {
          console.log(m.stderrTail);
          notes.push(`${n} series, ${shards} shard(s): ${st} ${shard} failed (exit ${m.status}): ${m.stderrTail.split("\n").pop()}`);
        }
        return ok;
      };
      if (!stage("prepare", "-", ["--as-of", asOf])) continue;
      let allOk = true;
      for (let k = 0; k < shards; k++) {
        if (onlyShard !== undefined && k !== Math.min(onlyShard, shards - 1)) continue;
        allOk = stage("predict", `${k}/${shards}`, ["--shard", `${k}/${shards}`]) && allOk;
      }
      if (allOk && !noFinish) stage("finish", "-", []);
      if (!keep) rmSync(runDir, { recursive: true, force: true });
    }
  }

  // The table.
  console.log("\n| series | shards | stage | shard | wall s | CPU s | peak RSS MB | load1 |");
  console.log("|---:|---:|---|---|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.series} | ${r.shards} | ${r.stage} | ${r.shard} | ${r.wallS.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${r.peakRssMb} | ${r.load1.toFixed(2)}${r.ok ? "" : " (failed)"} |`,
    );
  }
  // Linearity: total predict CPU per series.
  const cpuPerSeries: Array<{ series: number; shards: number; predictCpuS: number; cpuMsPerSeries: number }> = [];
  for (const n of seriesList) {
    for (const shards of shardList) {
      const p = rows.filter((r) => r.series === n && r.shards === shards && r.stage === "predict");
      if (p.length !== shards || p.some((r) => !r.ok)) continue;
      const cpu = p.reduce((a, r) => a + r.cpuS, 0);
      cpuPerSeries.push({ series: n, shards, predictCpuS: Math.round(cpu * 100) / 100, cpuMsPerSeries: Math.round((cpu / n) * 1e5) / 100 });
    }
  }
  console.log("\n| series | shards | total predict CPU s | CPU ms per series |");
  console.log("|---:|---:|---:|---:|");
  for (const c of cpuPerSeries) console.log(`| ${c.series} | ${c.shards} | ${c.predictCpuS.toFixed(2)} | ${c.cpuMsPerSeries.toFixed(2)} |`);
  // Linearity of the whole tick: prepare, every shard and finish, for each N and S.
  const totals: Array<{ series: number; shards: number; totalCpuS: number; cpuMsPerSeries: number }> = [];
  for (const n of seriesList) {
    for (const shards of shardList) {
      const r = rows.filter((x) => x.series === n && x.shards === shards);
      if (r.length !== shards + 2 || r.some((x) => !x.ok)) continue;
      const cpu = r.reduce((a, x) => a + x.cpuS, 0);
      totals.push({ series: n, shards, totalCpuS: Math.round(cpu * 100) / 100, cpuMsPerSeries: Math.round((cpu / n) * 1e5) / 100 });
    }
  }
  console.log("\n| series | shards | total CPU s (prepare + shards + finish) | CPU ms per series |");
  console.log("|---:|---:|---:|---:|");
  for (const t of totals) console.log(`| ${t.series} | ${t.shards} | ${t.totalCpuS.toFixed(2)} | ${t.cpuMsPerSeries.toFixed(2)} |`);
  const p100k8 = rows.filter((r) => r.series === 100000 && r.shards === 8 && r.stage === "predict" && r.ok);
  const maxOf = (xs: number[]) => (xs.length === 0 ? null : Math.max(...xs));
  for (const note of notes) console.log(`note: ${note}`);
  console.log(
    `load average at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    JSON.stringify({
      rows: rows.map(({ series, shards, stage, shard, wallS, cpuS, peakRssMb, load1, ok }) => ({
        series,
        shards,
        stage,
        shard,
        wallS,
        cpuS,
        peakRssMb,
        load1,
        ok,
      })),
      predictShardMaxWallS100k8: p100k8.length === 8 ? maxOf(p100k8.map((r) => r.wallS)) : null,
      predictShardMaxRssMb100k8: p100k8.length === 8 ? maxOf(p100k8.map((r) => r.peakRssMb)) : null,
      predictCpuPerSeries: cpuPerSeries,
      totalCpu: totals,
      notes,
    }),
  );
}

await main();

/** SHA-256 of every file under `dirs` (paths and contents, in a stable order). */
function sourceHash(dirs: string[]): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  for (const d of dirs) walk(d);
  return hash.digest("hex");
}
