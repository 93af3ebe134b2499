/**
 * parquet-wasm runs baseline-compiled in the CLI (src/pipeline/parquet/wasm.ts): V8 must never
 * re-optimize its functions with TurboFan, which cost a small command more CPU than its work,
 * while the gradient-boosting learner's own wasm kernels still must (a backtest took 45 % longer
 * without). The setting only holds when it is in place as parquet-wasm's module is instantiated,
 * which a bundler that hoists an `import` of parquet-wasm above it would undo; so this runs the
 * compiled CLI, as users do, and reads V8's own trace of every wasm function it compiles.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { de35Csv } from "../support/de35-batches.js";
import { childEnv } from "../support/child-env.js";

const BIN = fileURLToPath(new URL("../../bin/energy-forecast.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wasm-tier-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Per wasm module of one run: how many functions V8 compiled with each compiler. */
interface Compiled {
  functions: number;
  liftoff: number;
  turbofan: number;
}

/**
 * Runs the CLI with V8's wasm compilation trace ("Compiled function 0x<module>#<index> using
 * <compiler>, ..."). Returns parquet-wasm's module (the one with thousands of functions; the
 * learner's have a handful) and the rest.
 */
function traced(args: string[], env: Record<string, string> = {}): { code: number | null; stderr: string; parquet: Compiled; others: Compiled } {
  const r = spawnSync(process.execPath, ["--trace-wasm-compilation-times", BIN, "--store", join(dir, "store"), ...args], {
    encoding: "utf8",
    env: childEnv({ TZ: "UTC", LOG_LEVEL: "warn", ...env }),
  });
  const modules = new Map<string, { indices: Set<string>; liftoff: number; turbofan: number }>();
  for (const m of r.stdout.matchAll(/^Compiled function (0x[0-9a-f]+)#(\d+) using (Liftoff|TurboFan)/gm)) {
    const entry = modules.get(m[1]) ?? { indices: new Set(), liftoff: 0, turbofan: 0 };
    entry.indices.add(m[2]);
    if (m[3] === "Liftoff") entry.liftoff++;
    else entry.turbofan++;
    modules.set(m[1], entry);
  }
  const sum = (list: Array<{ indices: Set<string>; liftoff: number; turbofan: number }>): Compiled => ({
    functions: list.reduce((n, e) => n + e.indices.size, 0),
    liftoff: list.reduce((n, e) => n + e.liftoff, 0),
    turbofan: list.reduce((n, e) => n + e.turbofan, 0),
  });
  const all = Array.from(modules.values());
  return { code: r.status, stderr: r.stderr, parquet: sum(all.filter((e) => e.indices.size > 50)), others: sum(all.filter((e) => e.indices.size <= 50)) };
}

describe("wasm in the CLI", () => {
  it("parquet-wasm is compiled by V8's baseline compiler only, writing and reading; the learner's kernels are optimized", () => {
    const csv = join(dir, "batch.csv");
    // Two weeks of four series: enough for V8 to optimize some of parquet-wasm's functions (22 here before).
    writeFileSync(csv, de35Csv([0, 1, 2, 3], { from: Date.parse("2022-12-28T00:00Z") }));
    const ingest = traced(["ingest", "--source", `file:${csv}`]);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0, parquet: { turbofan: 0 } });
    expect(ingest.parquet.liftoff).toBeGreaterThan(100);

    const train = traced(["train", "--search", "none"], { MODEL_NAME: "gbm", TRAIN_FOLDS: "1" });
    expect(train, train.stderr).toMatchObject({ code: 0, parquet: { turbofan: 0 } });
    expect(train.parquet.liftoff).toBeGreaterThan(100);
    expect(train.others.turbofan, "the learner's kernels optimized by TurboFan").toBeGreaterThan(0);
  });
});
