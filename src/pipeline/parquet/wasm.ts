import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";

/**
 * V8's tiering budget while parquet-wasm's module is instantiated: roughly how many bytes of a wasm
 * function's code run before V8 re-optimizes it with TurboFan. V8 gives an instance its budget when
 * it is created, so parquet-wasm keeps this one while everything instantiated later (the
 * gradient-boosting learner's kernels, models/gbm) gets V8's default again.
 */
const PARQUET_TIERING_BUDGET = 2_000_000_000;
/** V8's default tiering budget (V8 11.3 of Node 20; `node --v8-options | grep -A1 tiering-budget`). */
const V8_TIERING_BUDGET = 1_800_000;

/**
 * parquet-wasm, whose functions run as V8's baseline compiler (Liftoff) compiled them: a command
 * reads and writes small parquet files, and V8 spent more CPU re-optimizing the decoder's and
 * encoder's hot functions with TurboFan (about 0.45 CPU-s on two cores) than such a command spent
 * on everything else. Measured 2026-12-04 (README, "Development"): `doctor` on a 4-series store
 * 1.18 -> 0.57 CPU-s; a full-width tick of the embedded data (`run --train never`) 2.7-3.2 ->
 * 1.8-1.9 CPU-s, 1.8-2.1 -> 1.35-1.45 s wall. Files of millions of rows are slower (bench/parquet.ts,
 * 2 million rows: write 0.71-0.75 -> 0.78-0.81 s, read 0.46-0.48 -> 0.50 s).
 *
 * Not `--liftoff-only`: it also turns V8's tier-up off for good (`--no-liftoff-only` does not turn
 * it back on), which made the learner's training 45 % slower. Loaded through `require`, not
 * `import`: an import is evaluated before the importing module's own code, and a bundle hoists it
 * above everything; parquet-wasm's node build compiles and instantiates its module when loaded.
 */
export const pw: typeof import("parquet-wasm") = loadWithBudget();

function loadWithBudget(): typeof import("parquet-wasm") {
  setFlagsFromString(`--wasm-tiering-budget=${PARQUET_TIERING_BUDGET}`);
  try {
    return createRequire(import.meta.url)("parquet-wasm") as typeof import("parquet-wasm");
  } finally {
    setFlagsFromString(`--wasm-tiering-budget=${V8_TIERING_BUDGET}`);
  }
}
