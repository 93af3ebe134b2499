import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/pipeline/core/errors.js";
import { Rng } from "../../../src/pipeline/models/gbm/prng.js";
import type { SeriesKey } from "../../../src/pipeline/series/key.js";
import { parseMaxSeries, proportionalQuotas, sampleHash, sampleSeries, SAMPLE_STRATA } from "../../../src/pipeline/series/sample.js";
import { seriesHash, shardOf } from "../../../src/pipeline/series/shard.js";

/** `n` meters with log-uniform scales over five orders of magnitude (seeded). */
function meters(n: number, seed = 1): { keys: SeriesKey[]; scales: number[] } {
  const rng = new Rng(seed);
  const keys: SeriesKey[] = [];
  const scales: number[] = [];
  for (let i = 0; i < n; i++) {
    keys.push([1 + (i % 98), `M${String(i).padStart(7, "0")}`]);
    scales.push(10 ** (-0.5 + 5 * rng.nextFloat()));
  }
  return { keys, scales };
}

const keysOf = (keys: readonly SeriesKey[], indices: number[]) => new Set(indices.map((s) => keys[s].join("/")));
const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((k) => b.has(k)).length;

describe("the sample order: the stable series-key hash, salted", () => {
  it("is a fixed function of the key (the same on every machine and in every version)", () => {
    expect(sampleHash([1, "M0000042"])).toBe(sampleHash([1, "M0000042"]));
    expect(sampleHash([1, "M0000042"])).toBe(3461498121);
    expect(sampleHash(["DK1"])).toBe(4169566992);
    expect(sampleHash([1, "M0000042"], "other")).not.toBe(sampleHash([1, "M0000042"]));
  });

  it("spreads neighbouring keys evenly, independently of the shard a series falls in", () => {
    const buckets = new Array(10).fill(0);
    const inShard0 = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const b = Math.floor((sampleHash([i]) / 2 ** 32) * 10);
      buckets[b]++;
      if (shardOf([i], 4) === 0) inShard0[b]++;
    }
    for (const b of buckets) expect(b).toBeGreaterThan(900);
    for (const b of inShard0) expect(b).toBeGreaterThan(200);
    expect(seriesHash([7])).not.toBe(sampleHash([7]));
  });
});

describe("sampleSeries", () => {
  it("keeps every series when the panel is within the bound, or the bound is 0", () => {
    const { keys, scales } = meters(50);
    const s = sampleSeries(keys, scales, 50);
    expect(s).toMatchObject({ total: 50, eligible: 50, maxSeries: 50, sampled: false, strata: 0 });
    expect(s.indices).toEqual(keys.map((_, i) => i));
    expect(s.rule).toBe("every series (50 with a usable scale, within the bound of 50)");
    const off = sampleSeries(keys, scales, 0);
    expect(off.indices).toHaveLength(50);
    expect(off.rule).toBe("every series (TRAIN_MAX_SERIES=0: no bound)");
  });

  it("never samples a series without a usable scale (it gives no training row)", () => {
    const { keys, scales } = meters(30);
    scales[3] = NaN;
    scales[4] = 0;
    scales[5] = -1;
    const within = sampleSeries(keys, scales, 100);
    expect(within).toMatchObject({ total: 30, eligible: 27, sampled: false });
    expect(within.indices).not.toContain(3);
    const cut = sampleSeries(keys, scales, 10);
    expect(cut).toMatchObject({ total: 30, eligible: 27, sampled: true });
    expect(cut.indices.filter((s) => s >= 3 && s <= 5)).toEqual([]);
  });

  it("is bounded: exactly the bound, ascending, no repeats", () => {
    const { keys, scales } = meters(5000);
    for (const m of [1, 7, 10, 333, 2000, 4999]) {
      const s = sampleSeries(keys, scales, m);
      expect(s.indices).toHaveLength(m);
      expect(new Set(s.indices).size).toBe(m);
      expect(s.indices).toEqual([...s.indices].sort((a, b) => a - b));
      expect(s.strata).toBe(Math.min(SAMPLE_STRATA, m));
    }
  });

  it("is deterministic and does not depend on the order the series come in", () => {
    const { keys, scales } = meters(3000);
    const a = sampleSeries(keys, scales, 300);
    expect(sampleSeries(keys, scales, 300)).toEqual(a);
    const order = keys.map((_, i) => i).reverse();
    const b = sampleSeries(
      order.map((i) => keys[i]),
      order.map((i) => scales[i]),
      300,
    );
    expect(
      keysOf(
        order.map((i) => keys[i]),
        b.indices,
      ),
    ).toEqual(keysOf(keys, a.indices));
    expect(a.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.rule).toBe(
      "stratified sample of 300 of 3000 series with a usable scale (TRAIN_MAX_SERIES=300): 10 strata of equal size by scale (mean of the last 168 h), " +
        'each contributing its share, within a stratum the series that come first by the stable key hash (FNV-1a 32-bit of the series id, as sharding uses, mixed with "train-sample" by murmur3\'s finaliser)',
    );
  });

  it("is stratified by scale: every tenth of the series by size holds a tenth of the sample", () => {
    const { keys, scales } = meters(4000);
    const s = sampleSeries(keys, scales, 400);
    const bySize = keys.map((_, i) => i).sort((a, b) => scales[a] - scales[b]);
    const decile = new Map(bySize.map((sIdx, r) => [sIdx, Math.floor((r * 10) / bySize.length)]));
    const counts = new Array(10).fill(0);
    for (const i of s.indices) counts[decile.get(i)!]++;
    expect(counts).toEqual(new Array(10).fill(40));
    // The smallest and the largest series are both in.
    expect(Math.min(...s.indices.map((i) => scales[i]))).toBeLessThan(10 ** -0.4);
    expect(Math.max(...s.indices.map((i) => scales[i]))).toBeGreaterThan(10 ** 4.4);
  });

  it("stays when series come and go: one added or removed series changes at most a few members", () => {
    const { keys, scales } = meters(5001, 3);
    const before = sampleSeries(keys.slice(0, 5000), scales.slice(0, 5000), 500);
    const was = keysOf(keys, before.indices);
    // One series more (wherever its scale falls).
    const added = sampleSeries(keys, scales, 500);
    expect(overlap(keysOf(keys, added.indices), was)).toBeGreaterThanOrEqual(495);
    // One series fewer: a sampled one stops reporting.
    const gone = before.indices[250];
    const rest = keys.map((_, i) => i).filter((i) => i !== gone && i < 5000);
    const removed = sampleSeries(
      rest.map((i) => keys[i]),
      rest.map((i) => scales[i]),
      500,
    );
    expect(
      overlap(
        keysOf(
          rest.map((i) => keys[i]),
          removed.indices,
        ),
        was,
      ),
    ).toBeGreaterThanOrEqual(494);
    // A hundred new series (2 %): most of the sample stays.
    const more = meters(5100, 3);
    const grown = sampleSeries(more.keys, more.scales, 500);
    expect(overlap(keysOf(more.keys, grown.indices), was)).toBeGreaterThanOrEqual(450);
  });

  it("refuses a bound that is not a whole number >= 0", () => {
    const { keys, scales } = meters(5);
    expect(() => sampleSeries(keys, scales, -1)).toThrow(ConfigError);
    expect(() => sampleSeries(keys, scales, 1.5)).toThrow("config: the series bound must be a whole number >= 0 (0: every series), got 1.5");
  });
});

describe("proportionalQuotas", () => {
  it("splits the sample in proportion, never above a group's size, summing to the total", () => {
    expect(proportionalQuotas([10, 10, 10], 6)).toEqual([2, 2, 2]);
    expect(proportionalQuotas([10, 10, 10], 7)).toEqual([3, 2, 2]);
    expect(proportionalQuotas([3, 3], 10)).toEqual([3, 3]);
    // Equal-size strata of 15 series cut 10 ways hold 1 or 2 series; 14 of them fit.
    const sizes = Array.from({ length: 10 }, (_, j) => Math.floor(((j + 1) * 15) / 10) - Math.floor((j * 15) / 10));
    const q = proportionalQuotas(sizes, 14);
    expect(q.reduce((a, b) => a + b, 0)).toBe(14);
    q.forEach((x, j) => expect(x).toBeLessThanOrEqual(sizes[j]));
  });
});

describe("TRAIN_MAX_SERIES", () => {
  it("reads a whole number of series >= 0", () => {
    expect(parseMaxSeries("2000")).toBe(2000);
    expect(parseMaxSeries(" 500 ")).toBe(500);
    expect(parseMaxSeries("0")).toBe(0);
  });

  it.each(["abc", "-1", "1.5", "1e3", "", "2,000"])("refuses %j with the accepted values named", (raw) => {
    expect(() => parseMaxSeries(raw)).toThrow(
      `config: TRAIN_MAX_SERIES must be a whole number of series >= 0 (the most series the global model trains on, a stratified sample when there are more; 0: every series), got "${raw}"`,
    );
  });
});
