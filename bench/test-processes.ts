/**
 * Where `npm test`'s CPU goes, by kind of process (issue 14): runs the suite (or the test files
 * under the given paths) once, as `npm test` runs it, with every Node process the tests start
 * logging its own CPU seconds at exit (bench/lib/process-log.mjs, preloaded through NODE_OPTIONS;
 * test/support/child-env.ts passes it into the tests' clean environments). Prints, per kind (a
 * CLI command, a notebook kernel, a report loader, a Framework build, ...), the count, the CPU
 * seconds each and in all, and the suite's own total: what was not logged is vitest's workers,
 * Python, Chromium, esbuild's service and processes killed by a signal.
 *
 *   npm run bench -- test-processes                   the whole suite (about 11 minutes on 2 cores)
 *   npx tsx bench/test-processes.ts test/reliability  the files under these paths
 *
 * Opt-in (run only when named). The suite's exit code is printed; the table is printed either way.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runVitest } from "./lib/vitest-cpu.js";

const HOOK = fileURLToPath(new URL("./lib/process-log.mjs", import.meta.url));

/** What bench/lib/process-log.mjs writes for one process. */
interface ProcessRecord {
  argv: string[];
  cpuSeconds: number;
}

/** The CLI's options that take a value: the command is the first other word. */
const VALUE_OPTIONS = new Set(["--store", "--log-level"]);

/** The kind of a logged process: `cli <command>` for energy-forecast, else its script's role. */
function processKind(argv: string[]): string {
  const script = basename(argv[0] ?? "");
  if (script === "energy-forecast.js" || script === "cli-bundle.js") {
    const command = argv.slice(1).find((a, i, rest) => !a.startsWith("-") && !VALUE_OPTIONS.has(rest[i - 1] ?? ""));
    return `cli ${command ?? "(none)"}`;
  }
  if (script === "tslab-launcher.mjs") return "notebook kernel";
  if (script === "report-loader.js") return "report loader";
  if (script === "observable.js") return "Framework build or preview";
  if (script === "run-notebooks.ts") return "notebook runner";
  if (script.startsWith("gcs-emulator")) return "GCS emulator";
  if (/vitest/.test(argv[0] ?? "")) return "vitest";
  return script || "(node -e or stdin)";
}

const logDir = mkdtempSync(join(tmpdir(), "test-processes-"));
try {
  const hook = [process.env.NODE_OPTIONS, `--import ${HOOK}`].filter(Boolean).join(" ");
  const suite = await runVitest(process.argv.slice(2), { ...process.env, TZ: "UTC", TEST_PROCESS_LOG: logDir, NODE_OPTIONS: hook });
  const records = readdirSync(logDir).map((f) => JSON.parse(readFileSync(join(logDir, f), "utf8")) as ProcessRecord);
  const kinds = new Map<string, { count: number; cpu: number }>();
  for (const r of records) {
    const kind = processKind(r.argv);
    const k = kinds.get(kind) ?? { count: 0, cpu: 0 };
    k.count++;
    k.cpu += r.cpuSeconds;
    kinds.set(kind, k);
  }
  const logged = records.reduce((s, r) => s + r.cpuSeconds, 0);
  console.log(`${"process".padEnd(28)} ${"count".padStart(6)} ${"CPU s each".padStart(11)} ${"CPU s".padStart(8)}`);
  for (const [kind, k] of [...kinds].sort((a, b) => b[1].cpu - a[1].cpu)) {
    console.log(`${kind.padEnd(28)} ${String(k.count).padStart(6)} ${(k.cpu / k.count).toFixed(2).padStart(11)} ${k.cpu.toFixed(1).padStart(8)}`);
  }
  console.log(
    `logged: ${records.length} processes, ${logged.toFixed(0)} CPU s; the suite: ${suite.cpuSeconds.toFixed(0)} CPU s, ${suite.wallSeconds.toFixed(0)} s wall, ` +
      `${suite.idleCoreSeconds.toFixed(0)} idle core-seconds on the machine (of ${(suite.wallSeconds * availableParallelism()).toFixed(0)}), ` +
      `exit ${suite.exitCode}; not logged (vitest's workers, Python, Chromium, esbuild, killed processes): ${(suite.cpuSeconds - logged).toFixed(0)} CPU s`,
  );
  process.exitCode = suite.exitCode === 0 ? 0 : 1;
} finally {
  rmSync(logDir, { recursive: true, force: true });
}
