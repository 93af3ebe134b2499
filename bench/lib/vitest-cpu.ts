import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** What one vitest run cost. */
export interface VitestCost {
  exitCode: number;
  wallSeconds: number;
  /** User + system CPU seconds of the vitest process and all its descendants. */
  cpuSeconds: number;
  /**
   * Seconds the machine's cores sat idle during the run, summed over cores (Linux' /proc/stat:
   * idle and iowait; NaN elsewhere). Near zero means the run was bound by CPU: its wall time
   * cannot drop below its CPU seconds over the cores without less CPU.
   */
  idleCoreSeconds: number;
}

/** The machine's idle and iowait time so far, in seconds summed over cores (NaN without /proc/stat). */
function idleSoFar(): number {
  if (!existsSync("/proc/stat")) return NaN;
  // "cpu  user nice system idle iowait ..." in clock ticks, which are 1/100 s on Linux.
  const [idle, iowait] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(4, 6).map(Number);
  return (idle + iowait) / 100;
}

/**
 * Runs `vitest run <args>` (output discarded) in a bash whose `times` builtin then prints the CPU
 * of its children: the vitest process and, as each waits for its own, every descendant (the CLI,
 * Chromium, Jupyter, the emulators). No GNU time needed.
 */
export function runVitest(args: string[], env: NodeJS.ProcessEnv): Promise<VitestCost> {
  const script = `node node_modules/vitest/vitest.mjs run "$@" >/dev/null 2>&1; code=$?; times; echo "exit $code"`;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const idle0 = idleSoFar();
    const child = spawn("bash", ["-c", script, "bash", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
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
      resolve({ exitCode, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: user + system, idleCoreSeconds: idleSoFar() - idle0 });
    });
  });
}
