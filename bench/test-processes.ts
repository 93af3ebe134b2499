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
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HOOK = fileURLToPath(new URL("./lib/process-log.mjs", import.meta.url));

/** What bench/lib/process-log.mjs writes for one process. */
interface ProcessRecord {
  argv: string[];
  cpuSeconds: number;
  wallSeconds: number;
}

/** The CLI's options that take a value: the command is the first other word. */
const VALUE_OPTIONS = new Set(["--store", "--log-level"]);

/** The kind of a logged process: `cli <command>` for energy-forecast, else its script's role. */
export function processKind(argv: string[]): string {
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

/** Runs vitest on `paths` with the log on; resolves with its exit code and its CPU seconds (itself and every descendant). */
function runSuite(paths: string[], logDir: string): Promise<{ exitCode: number; cpuSeconds: number; wallSeconds: number }> {
  const script = `node node_modules/vitest/vitest.mjs run "$@" >/dev/null 2>&1; code=$?; times; echo "exit $code"`;
  const env = { ...process.env, TZ: "UTC", TEST_PROCESS_LOG: logDir, NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import ${HOOK}`].filter(Boolean).join(" ") };
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("bash", ["-c", script, "bash", ...paths], { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", () => {
      // `times` prints the shell's own user/system times, then its children's: "0m1.234s 0m0.567s".
      const lines = out.trim().split("\n");
      const seconds = (text: string) => {
        const m = /^(\d+)m([\d.]+)s$/.exec(text);
        return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
      };
      const [user, system] = (lines[1] ?? "").split(/\s+/).map(seconds);
      const exitCode = Number(/^exit (\d+)$/.exec(lines[2] ?? "")?.[1] ?? -1);
      resolve({ exitCode, cpuSeconds: user + system, wallSeconds: (performance.now() - t0) / 1000 });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const logDir = mkdtempSync(join(tmpdir(), "test-processes-"));
  try {
    const suite = await runSuite(process.argv.slice(2), logDir);
    const records = readdirSync(logDir).map((f) => JSON.parse(readFileSync(join(logDir, f), "utf8")) as ProcessRecord);
    const kinds = new Map<string, { count: number; cpu: number }>();
    for (const r of records) {
      const k = kinds.get(processKind(r.argv)) ?? { count: 0, cpu: 0 };
      k.count++;
      k.cpu += r.cpuSeconds;
      kinds.set(processKind(r.argv), k);
    }
    const logged = records.reduce((s, r) => s + r.cpuSeconds, 0);
    console.log(`${"process".padEnd(28)} ${"count".padStart(6)} ${"CPU s each".padStart(11)} ${"CPU s".padStart(8)}`);
    for (const [kind, k] of [...kinds].sort((a, b) => b[1].cpu - a[1].cpu)) {
      console.log(`${kind.padEnd(28)} ${String(k.count).padStart(6)} ${(k.cpu / k.count).toFixed(2).padStart(11)} ${k.cpu.toFixed(1).padStart(8)}`);
    }
    console.log(
      `logged: ${records.length} processes, ${logged.toFixed(0)} CPU s; the suite: ${suite.cpuSeconds.toFixed(0)} CPU s, ${suite.wallSeconds.toFixed(0)} s wall, ` +
        `exit ${suite.exitCode}; not logged (vitest's workers, Python, Chromium, esbuild, killed processes): ${(suite.cpuSeconds - logged).toFixed(0)} CPU s`,
    );
    process.exitCode = suite.exitCode === 0 ? 0 : 1;
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}
