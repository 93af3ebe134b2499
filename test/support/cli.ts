import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { childEnv } from "./child-env.js";

const BIN = fileURLToPath(new URL("../../bin/energy-forecast.js", import.meta.url));

/** The outcome of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `energy-forecast` as a child process, exactly as a user or the scheduled job does, with a
 * clean environment (only PATH, TZ and the variables given) so the developer's settings never leak in.
 */
export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: childEnv({ TZ: "UTC", LOG_LEVEL: "warn", ...env }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
