import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { childEnv } from "./child-env.js";

const BIN = fileURLToPath(new URL("../../bin/energy-forecast.js", import.meta.url));

/** The settings every CLI run of the tests starts from, under the variables given. */
export const cliVars = (env: Record<string, string>): Record<string, string> => ({ TZ: "UTC", LOG_LEVEL: "warn", ...env });

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
      env: childEnv(cliVars(env)),
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

/**
 * Runs `energy-forecast` in this process: the CLI's `main` with buffered streams and the same clean
 * environment as {@link runCli} (PATH, TZ=UTC, LOG_LEVEL=warn and the variables given). For tests
 * whose subject is what a command prints and does to a local store, which a child process proves
 * nothing more about; it saves the process's start (about half a CPU-second a command). Exit codes
 * at the process's edge, signals, locks between processes, `gs://` stores (the storage client reads
 * STORAGE_EMULATOR_HOST from the process) and the compiled entry point are tested through
 * {@link runCli}. `cwd` is where the settings, `.env`, the store and the source resolve, but a run
 * manifest names a local store, and `validate --file` resolves its file, against the process's own
 * working directory: a test of relative paths in those runs the CLI as a child.
 */
export async function runCliInProcess(args: string[], env: Record<string, string> = {}, cwd: string = process.cwd()): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { PATH: process.env.PATH ?? "", ...cliVars(env) },
    cwd,
  });
  return { code, stdout, stderr };
}
