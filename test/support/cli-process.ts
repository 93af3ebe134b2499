/**
 * `energy-forecast` as a child process that a test watches while it runs, may kill at a chosen
 * moment, and never waits for for ever: runCli (cli.ts) only reports at the end, and a command
 * that hangs would hang the test with it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { childEnv } from "./child-env.js";
import { cliVars } from "./cli.js";

const BIN = fileURLToPath(new URL("../../bin/energy-forecast.js", import.meta.url));

/** How a watched command ended. */
export interface CliEnd {
  /** Exit code; -1 when a signal ended it. */
  code: number;
  /** The signal that ended it (SIGKILL for a kill or a hang), or null. */
  signal: NodeJS.Signals | null;
  /** True when it was still running after `timeoutMs` and was killed for it. */
  hung: boolean;
  /** Milliseconds from spawn to exit. */
  elapsedMs: number;
  stdout: string;
  stderr: string;
}

/** A running command. */
export interface CliProcess {
  child: ChildProcess;
  /** Milliseconds since the spawn. */
  elapsed(): number;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr contains `text` (rejects if the command ends first or after 60 s). */
  saw(text: string): Promise<void>;
  /** SIGKILLs the command unless it has ended. */
  kill(): void;
  done: Promise<CliEnd>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `energy-forecast args` with a clean environment (PATH, TZ=UTC, LOG_LEVEL=warn and `env`),
 * as runCli does. A command still running after `timeoutMs` (default 120 s) is SIGKILLed and
 * reported as `hung`.
 */
export function startCli(args: string[], env: Record<string, string> = {}, options: { timeoutMs?: number } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: childEnv(cliVars(env)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const t0 = performance.now();
  let stdout = "";
  let stderr = "";
  let hung = false;
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const timer = setTimeout(() => {
    hung = true;
    kill();
  }, options.timeoutMs ?? 120_000);
  const done = new Promise<CliEnd>((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, hung, elapsedMs: performance.now() - t0, stdout, stderr });
    });
  });
  const saw = async (text: string): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!stderr.includes(text)) {
      if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null)
        throw new Error(`never saw ${JSON.stringify(text)}; stderr: ${stderr}`);
      await sleep(10);
    }
  };
  return { child, elapsed: () => performance.now() - t0, stdout: () => stdout, stderr: () => stderr, saw, kill, done };
}
