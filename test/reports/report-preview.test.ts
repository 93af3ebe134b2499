/**
 * `npm run report:preview` beside a build of the same checkout: they share Framework's loader
 * cache, which both empty when they start. A preview started while a build runs waits for the
 * build's lock before emptying the cache (it would delete what the build is writing), then lets the
 * lock go: a preview runs until stopped and must not keep builds waiting all that time.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { BUILD_LOCK, holdBuildLock } from "./build-site.js";
import { childEnv } from "../support/child-env.js";

/**
 * The processes of process group `group` that have `file` open. A flock lives as long as any
 * descriptor of the open file that took it, so a group with none holds no lock on the file. (Asking
 * `flock -n` instead would fail whenever another test file's build holds the lock.)
 */
function holdersOf(file: string, group: number): number[] {
  const holders: number[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      // Field 5 of /proc/<pid>/stat is the process group; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== group) continue;
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (fds.some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === file)) holders.push(Number(pid));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return holders;
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

it("a preview started while a build runs waits for the build's lock, empties the cache, then lets the lock go while it serves", async () => {
  const port = await freePort();
  const other = await holdBuildLock(2);
  const preview = spawn("bash", ["scripts/report-build.sh", "preview", "--port", String(port), "--no-open"], {
    cwd: PROJECT_ROOT,
    env: childEnv({ HOME: process.env.HOME ?? "/tmp", TZ: "UTC", STORE_URI: "/nonexistent-store" }),
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: the preview's Framework process goes with it.
    detached: true,
  });
  stop = () => {
    try {
      process.kill(-preview.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  let output = "";
  preview.stdout.on("data", (d) => (output += d));
  preview.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}/`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the preview never served ${url}; it printed: ${output}`)), 120_000);
    const check = () => {
      if (!output.includes(url)) return;
      clearTimeout(timer);
      resolve();
    };
    preview.stdout.on("data", check);
    preview.on("close", (code) => reject(new Error(`the preview ended (exit ${code}): ${output}`)));
  });
  expect(await other.ended).toBe(0);
  expect(output).toContain("report: another report build of this checkout is running; waiting for it to finish");
  // Serving, it holds no lock: a build could start now.
  expect(holdersOf(BUILD_LOCK, preview.pid!)).toEqual([]);
});
