import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { childEnv } from "../support/child-env.js";

/** The outcome of one report build. */
export interface BuildResult {
  code: number;
  ms: number;
  output: string;
}

/**
 * Builds the report with `scripts/report-build.sh` (what `npm run report:build` runs) into
 * `outputDir`, reading the store at `storeUri`. Only PATH, HOME and the given variables reach
 * the build, so the developer's settings never leak in.
 */
export function buildSite(storeUri: string, outputDir: string, env: Record<string, string> = {}): Promise<BuildResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [join(PROJECT_ROOT, "scripts", "report-build.sh"), "build"], {
      cwd: PROJECT_ROOT,
      env: childEnv({ HOME: process.env.HOME ?? "/tmp", TZ: "UTC", STORE_URI: storeUri, REPORT_OUTPUT: outputDir, ...env }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, ms: performance.now() - t0, output }));
  });
}

/** The lock scripts/report-build.sh holds while it builds: one build of a checkout at a time. */
export const BUILD_LOCK = join(PROJECT_ROOT, "reports", ".observablehq", "build.lock");

/**
 * Another build of this checkout, as far as the lock goes: a process (util-linux `flock`) that
 * takes the build lock and holds it for `seconds`. Resolves once it holds it (another build, e.g.
 * a concurrent test file, may hold it first); `ended` resolves with its exit code.
 */
export async function holdBuildLock(seconds: number): Promise<{ ended: Promise<number> }> {
  await mkdir(join(PROJECT_ROOT, "reports", ".observablehq"), { recursive: true });
  const holder = spawn("flock", [BUILD_LOCK, "sh", "-c", `echo held; sleep ${seconds}`], { stdio: ["ignore", "pipe", "inherit"] });
  const ended = new Promise<number>((resolve) => holder.on("close", (code) => resolve(code ?? -1)));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once("data", () => resolve());
    holder.once("error", reject);
  });
  return { ended };
}
