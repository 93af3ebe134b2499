// `npm run bench`: runs every benchmark script in its own process (so peak memory is per benchmark).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const only = process.argv.slice(2);
// Opt-in, run only when named: `reference` (scikit-learn on the same origins, minutes, needs
// Debian's python3-sklearn), `train-width` (training on 1k..100k synthetic series and the
// accuracy cost of a series sample on 10k, 30-60 minutes on two cores) and `scale` (a sharded
// run's stages as separate processes on 1k..100k synthetic series, issue 12; tens of minutes) and
// `tests` (each test file alone: its wall time and CPU seconds, issue 14; about 25 minutes) and
// `test-processes` (the suite once, its CPU by kind of process, issue 14; about 11 minutes).
const ALL = [
  "parquet",
  "ingest",
  "ingest-preset",
  "ingest-csv",
  "gbm",
  "backtest",
  "backfill",
  "reference",
  "year",
  "train-width",
  "scale",
  "tests",
  "test-processes",
];
const OPT_IN = ["reference", "train-width", "scale", "tests", "test-processes"];
const DEFAULT = ALL.filter((s) => !OPT_IN.includes(s));
const unknown = only.filter((s) => !ALL.includes(s));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark(s) ${unknown.join(", ")}; known: ${ALL.join(", ")}`);
  process.exit(2);
}
const scripts = (only.length === 0 ? DEFAULT : ALL.filter((s) => only.includes(s))).filter((s) => existsSync(`bench/${s}.ts`));
console.log(`node ${process.version}, ${new Date().toISOString()}`);
let failed = 0;
for (const s of scripts) {
  console.log(`\n# ${s}`);
  // The full 30-day hourly backfill takes tens of minutes: run it alone with `npx tsx bench/backfill.ts`.
  const extra = s === "backfill" ? ["--ticks", process.env.BENCH_BACKFILL_TICKS ?? "48"] : [];
  const r = spawnSync(process.execPath, ["--import", "tsx", `bench/${s}.ts`, ...extra], { stdio: "inherit", env: { ...process.env, TZ: "UTC" } });
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
