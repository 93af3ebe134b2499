import { spawn } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { childEnv } from "../support/child-env.js";

/** What one loader run printed and how it ended; stdout as bytes (parquet and Arrow loaders write binary). */
export interface LoaderRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the report loader `reports/data/<file>.ts` (e.g. `overview.json`) on its own, as Framework
 * does during a build (`node scripts/report-loader.js <loader>`, observable.config.ts), from the
 * project root with only PATH, HOME, TZ=UTC and `env` set.
 */
export function runLoader(file: string, env: Record<string, string>): Promise<LoaderRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join("scripts", "report-loader.js"), join("reports", "data", `${file}.ts`)], {
      cwd: PROJECT_ROOT,
      env: childEnv({ HOME: process.env.HOME ?? "/tmp", TZ: "UTC", ...env }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr }));
  });
}
