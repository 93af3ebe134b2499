/**
 * parquet-wasm runs baseline-compiled in the CLI (src/pipeline/parquet/wasm.ts): V8 must never
 * re-optimize its functions with TurboFan, which cost a small command more CPU than its work. The
 * setting only holds when it precedes the wasm module's compilation, which a bundler that hoists
 * an `import` of parquet-wasm above it would undo; so this runs the compiled CLI, as users do, and
 * reads V8's own trace of every wasm function it compiles.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { de35Csv } from "../support/de35-batches.js";

const BIN = fileURLToPath(new URL("../../bin/energy-forecast.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wasm-tier-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI with V8's wasm compilation trace; returns how many functions each compiler compiled. */
function traced(args: string[]): { code: number | null; stderr: string; liftoff: number; turbofan: number } {
  const r = spawnSync(process.execPath, ["--trace-wasm-compilation-times", BIN, "--store", join(dir, "store"), ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", TZ: "UTC", LOG_LEVEL: "warn" },
  });
  const count = (compiler: string) => r.stdout.split("\n").filter((l) => l.startsWith("Compiled function") && l.includes(`using ${compiler}`)).length;
  return { code: r.status, stderr: r.stderr, liftoff: count("Liftoff"), turbofan: count("TurboFan") };
}

describe("parquet-wasm in the CLI", () => {
  it("is compiled by V8's baseline compiler only, when writing and when reading parquet files", () => {
    const csv = join(dir, "batch.csv");
    // Two weeks of four series: enough for V8 to have optimized some of its functions before (22 here).
    writeFileSync(csv, de35Csv([0, 1, 2, 3], { from: Date.parse("2022-12-28T00:00Z") }));
    const ingest = traced(["ingest", "--source", `file:${csv}`]);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0, turbofan: 0 });
    expect(ingest.liftoff).toBeGreaterThan(100);
    const doctor = traced(["doctor"]);
    expect(doctor, doctor.stderr).toMatchObject({ code: 0, turbofan: 0 });
    expect(doctor.liftoff).toBeGreaterThan(100);
  });
});
