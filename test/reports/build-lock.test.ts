/**
 * Two report builds of one checkout at once: they share Framework's loader cache, which a build
 * empties first, so the second waits for the first (scripts/report-build.sh holds a flock on
 * reports/.observablehq/build.lock) instead of deleting the outputs the first is writing. Here the
 * "first build" is a process holding that lock for two seconds; the build must wait, say so, and
 * then build the site from an empty store.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/pipeline/config/paths.js";
import { buildSite } from "./build-site.js";

const LOCK = join(PROJECT_ROOT, "reports", ".observablehq", "build.lock");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "report-lock-"));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("a report build while another build of the checkout runs", () => {
  it("waits for the other build's lock, says so, then builds", async () => {
    await mkdir(join(PROJECT_ROOT, "reports", ".observablehq"), { recursive: true });
    // Holds the lock until it has slept; "held" is printed once it has the lock.
    const holder = spawn("flock", [LOCK, "sh", "-c", "echo held; sleep 2"], { stdio: ["ignore", "pipe", "inherit"] });
    const holderEnded = new Promise<number>((resolve) => holder.on("close", (code) => resolve(code ?? -1)));
    // Another build (a concurrent test file) may hold the lock first: wait until the holder has it.
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));

    const dist = join(tmp, "dist");
    const build = await buildSite(join(tmp, "no-store"), dist, { REPORT_BUILD_TIME: "2023-01-30T09:00:00Z" });
    expect(await holderEnded).toBe(0);
    expect(build.code, build.output).toBe(0);
    expect(build.output).toContain("report: another report build of this checkout is running; waiting for it to finish");
    expect(existsSync(join(dist, "index.html"))).toBe(true);
  });
});
