import { Rng } from "../src/pipeline/models/gbm/prng.js";

/** Small helpers shared by the benchmark scripts. */

/** Runs `f` `repeat` times and returns the best wall time in seconds and the last result. */
export async function best<T>(repeat: number, f: () => T | Promise<T>): Promise<{ seconds: number; result: T }> {
  let seconds = Infinity;
  let result!: T;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    result = await f();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { seconds, result };
}

/** Peak resident memory of this process so far, in MB. */
export function peakMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Prints one benchmark line: name, then key=value pairs. */
export function report(name: string, fields: Record<string, string | number>): void {
  console.log(
    `${name.padEnd(28)} ${Object.entries(fields)
      .map(([k, v]) => `${k}=${v}`)
      .join("  ")}`,
  );
}

/** A seeded generator of floats in [0, 1), so benchmark data is the same on every run. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.nextFloat();
}
