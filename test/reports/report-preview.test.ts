/**
 * `npm run report:preview` beside a build of the same checkout: they share Framework's loader
 * cache, which both empty when they start. A preview started while a build runs waits for the
 * build's lock before emptying the cache (it would delete what the build is writing), then lets the
 * lock go: a preview runs until stopped and must not keep builds waiting all that time.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { afterEach, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { BUILD_LOCK, holdBuildLock } from "./build-site.js";
import { childEnv } from "../support/child-env.js";

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
  expect(spawnSync("flock", ["-n", BUILD_LOCK, "true"]).status).toBe(0);
});
