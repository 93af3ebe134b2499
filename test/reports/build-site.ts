import { spawn } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";

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
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TZ: "UTC", STORE_URI: storeUri, REPORT_OUTPUT: outputDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, ms: performance.now() - t0, output }));
  });
}
