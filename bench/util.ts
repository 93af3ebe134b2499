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
  console.log(`${name.padEnd(28)} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join("  ")}`);
}

/** A seeded 32-bit PRNG (mulberry32), so benchmark data is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
