import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";

// V8 is told to run wasm only as its baseline compiler (Liftoff) compiles it, before parquet-wasm's
// module is compiled (its node build compiles it when loaded, and the setting is taken then): a
// command reads and writes small parquet files, and V8 spent more CPU re-optimizing the decoder's
// and encoder's hot functions with TurboFan (70 functions, about 0.45 CPU-s) than such a command
// spent on everything else. Measured 2026-12-04 (README, "Development"): `doctor` on a 4-series
// store 1.33 -> 0.78 CPU-s; a full-width tick of the embedded data (`run --train never`) 2.7-3.2 ->
// 2.0-2.4 CPU-s and shorter in wall time. Files of millions of rows are slower (bench/parquet.ts,
// 2 million rows: write 0.73 -> 0.9-1.45 s, read 0.47 -> 0.52-0.76 s). Process-wide, but only wasm is
// affected (JavaScript keeps every tier), and no other module of ours uses wasm. A V8 without the
// flag prints "unrecognized flag" once and runs as before.
setFlagsFromString("--liftoff-only");

/**
 * parquet-wasm, loaded after the setting above. Through `require`, not `import`: an import is
 * evaluated before the importing module's own code, and a bundle hoists it above everything.
 */
export const pw: typeof import("parquet-wasm") = createRequire(import.meta.url)("parquet-wasm");
