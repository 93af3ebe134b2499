/**
 * Where `npm test`'s time goes (issue 14): runs test files one at a time, each alone on the
 * machine, and prints the wall time and the CPU seconds (user + system, the file's vitest process
 * and every child it started: the CLI, Chromium, Jupyter, the emulators) of each, largest CPU first.
 *
 * The suite runs three files at a time on two cores and keeps both cores busy, so its wall time is
 * about its CPU seconds over two: CPU seconds are what a faster suite has to cut, per file.
 *
 *   npm run bench -- tests                       every test file (about 25 minutes on 2 cores)
 *   npx tsx bench/tests.ts test/reliability ...  the files under these paths
 *   npx tsx bench/tests.ts --json                one JSON object instead of the table
 *
 * Opt-in (run only when named). A file that fails is listed with its exit code; the run goes on.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { runVitest, type VitestCost } from "./lib/vitest-cpu.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The measure of one test file run alone. */
interface FileCost extends VitestCost {
  file: string;
}

/** Every `*.test.ts` under `paths` (files or folders, relative to the project root), sorted. */
function testFiles(paths: string[]): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else if (path.endsWith(".test.ts")) found.push(relative(ROOT, path));
  };
  for (const p of paths) visit(join(ROOT, p));
  return found.sort();
}

/**
 * Runs one file alone, with one worker: the suite's config starts three (as many as it ever runs
 * at once), which for a single file would add two idle worker start-ups to its CPU.
 */
async function measure(file: string): Promise<FileCost> {
  const cost = await runVitest(["--minWorkers", "1", "--maxWorkers", "1", file], { ...process.env, TZ: "UTC" });
  return { file, ...cost };
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const files = testFiles(args.filter((a) => a !== "--json").length > 0 ? args.filter((a) => a !== "--json") : ["test"]);
const costs: FileCost[] = [];
for (const file of files) {
  const cost = await measure(file);
  costs.push(cost);
  if (!json)
    process.stderr.write(
      `  ${file}: ${cost.wallSeconds.toFixed(1)} s wall, ${cost.cpuSeconds.toFixed(1)} CPU s${cost.exitCode === 0 ? "" : `, exit ${cost.exitCode}`}\n`,
    );
}
costs.sort((a, b) => b.cpuSeconds - a.cpuSeconds);
const total = { wallSeconds: costs.reduce((s, c) => s + c.wallSeconds, 0), cpuSeconds: costs.reduce((s, c) => s + c.cpuSeconds, 0) };
if (json) {
  console.log(JSON.stringify({ node: process.version, files: costs, total }, null, 1));
} else {
  console.log(`${"file".padEnd(52)} ${"wall s".padStart(8)} ${"CPU s".padStart(8)} ${"CPU %".padStart(6)}`);
  for (const c of costs) {
    const share = ((100 * c.cpuSeconds) / total.cpuSeconds).toFixed(1);
    console.log(
      `${c.file.padEnd(52)} ${c.wallSeconds.toFixed(1).padStart(8)} ${c.cpuSeconds.toFixed(1).padStart(8)} ${share.padStart(6)}${c.exitCode === 0 ? "" : `  (exit ${c.exitCode})`}`,
    );
  }
  console.log(`${`${costs.length} files, one at a time`.padEnd(52)} ${total.wallSeconds.toFixed(1).padStart(8)} ${total.cpuSeconds.toFixed(1).padStart(8)}`);
}
