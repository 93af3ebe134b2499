// Ingest of one large long CSV through the real CLI (`energy-forecast ingest --source file:...`):
// 100 series x 40,000 hours (4 M rows, ~160 MB) with two string keys, in time order as exports
// are. Runs the default ingest (the file's last 30 days, after the default publication delay) into
// a fresh store, then once more with --full (the same window, re-extracted whatever the store
// holds), each under `/usr/bin/time -v`, and prints wall time and peak resident memory (the CSV
// is read twice per run: once for its extent, once for the window's rows).
//
// `--rows N` writes a smaller file (a multiple of 100 series). The last line is JSON:
// {"rows":4000000,"fileMb":...,"peakRssMb":...,"wallSeconds":...} for the default ingest.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { report, rng } from "./util.js";

const SERIES = 100;
const HOUR_MS = 3_600_000;
const START = Date.UTC(2019, 0, 1);
const rowsArg = process.argv.indexOf("--rows");
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 4_000_000;
const HOURS = Math.ceil(ROWS / SERIES);

if (!existsSync("/usr/bin/time")) {
  console.error("bench ingest-csv: /usr/bin/time is missing; install it with `apt-get install -y time`");
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "bench-ingest-csv-"));
try {
  const csv = join(dir, "meters.csv");
  const t0 = performance.now();
  writeCsv(csv);
  const fileMb = statSync(csv).size / 1e6;
  report("ingest-csv file", {
    rows: SERIES * HOURS,
    series: SERIES,
    hours: HOURS,
    fileMb: fileMb.toFixed(1),
    seconds: ((performance.now() - t0) / 1000).toFixed(1),
  });
  const store = join(dir, "store");
  const args = [
    "bin/energy-forecast.js",
    "--store",
    store,
    "ingest",
    "--source",
    `file:${csv}`,
    "--keys",
    "area,meter",
    "--time",
    "hour_utc",
    "--value",
    "kwh",
    "--json",
  ];
  const first = timed(args);
  report("ingest-csv default (30 d)", { rows: first.rows, peakRssMb: first.peakRssMb, wallSeconds: first.wallSeconds });
  const full = timed([...args, "--full"]);
  report("ingest-csv --full (30 d)", { rows: full.rows, peakRssMb: full.peakRssMb, wallSeconds: full.wallSeconds });
  console.log(
    JSON.stringify({
      rows: SERIES * HOURS,
      fileMb: Number(fileMb.toFixed(1)),
      peakRssMb: first.peakRssMb,
      wallSeconds: first.wallSeconds,
      full: { peakRssMb: full.peakRssMb, wallSeconds: full.wallSeconds },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes the file in 1 MB pieces: the benchmark itself must not hold the whole text. */
function writeCsv(path: string): void {
  const next = rng(7);
  const fd = openSync(path, "w");
  const areas = Array.from({ length: SERIES }, (_, s) => (s % 2 === 0 ? "DK1" : "DK2"));
  const meters = Array.from({ length: SERIES }, (_, s) => `m-${String(s).padStart(4, "0")}`);
  const scale = Array.from({ length: SERIES }, () => 50 + 500 * next());
  let piece = "hour_utc,area,meter,kwh\n";
  for (let h = 0; h < HOURS; h++) {
    const time = new Date(START + h * HOUR_MS).toISOString().slice(0, 19);
    const daily = 1 + 0.3 * Math.sin(((h % 24) / 24) * 2 * Math.PI);
    for (let s = 0; s < SERIES; s++) piece += `${time},${areas[s]},${meters[s]},${(scale[s] * daily * (0.9 + 0.2 * next())).toFixed(3)}\n`;
    if (piece.length > 1 << 20) {
      writeSync(fd, piece);
      piece = "";
    }
  }
  writeSync(fd, piece);
  closeSync(fd);
}

/** Runs the CLI under `/usr/bin/time -v`: its wall time, peak RSS and the report's row count. */
function timed(args: string[]): { rows: number; peakRssMb: number; wallSeconds: number } {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, ...args], { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, TZ: "UTC" } });
  const wallSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !rss) {
    console.error(r.stderr.slice(-4000));
    throw new Error(`bench ingest-csv: the ingest failed (exit ${r.status})`);
  }
  let rows = NaN;
  try {
    rows = (JSON.parse(r.stdout) as { rows: number }).rows;
  } catch {
    // A run that printed no JSON report still has its time and memory.
  }
  return { rows, peakRssMb: Math.round(Number(rss[1]) / 1024), wallSeconds };
}
