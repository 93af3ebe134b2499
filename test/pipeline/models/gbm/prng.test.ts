import { describe, expect, it } from "vitest";
import { deriveSeed, Rng, sampleSortedIndices } from "../../../../src/pipeline/models/gbm/prng.js";

describe("Rng (mulberry32)", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it("draws floats in [0, 1) that look uniform", () => {
    const rng = new Rng(7);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = rng.nextFloat();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // The mean of 20,000 uniforms has sd 0.29/sqrt(20000) = 0.002; 0.01 is 5 sd.
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
  });

  it("derives distinct seeds per stream", () => {
    const seeds = new Set([deriveSeed(0, 1), deriveSeed(0, 2), deriveSeed(0, 3), deriveSeed(1, 1)]);
    expect(seeds.size).toBe(4);
    expect(deriveSeed(5, 2)).toBe(deriveSeed(5, 2));
  });
});

describe("sampleSortedIndices", () => {
  it("draws exactly k distinct increasing indices, deterministically", () => {
    const s1 = sampleSortedIndices(1000, 137, new Rng(3));
    const s2 = sampleSortedIndices(1000, 137, new Rng(3));
    const s3 = sampleSortedIndices(1000, 137, new Rng(4));
    expect(s1.length).toBe(137);
    for (let i = 1; i < s1.length; i++) expect(s1[i]).toBeGreaterThan(s1[i - 1]);
    expect(s1[136]).toBeLessThan(1000);
    expect(Array.from(s2)).toEqual(Array.from(s1));
    expect(Array.from(s3)).not.toEqual(Array.from(s1));
  });

  it("takes everything when k = n", () => {
    expect(Array.from(sampleSortedIndices(5, 5, new Rng(0)))).toEqual([0, 1, 2, 3, 4]);
  });
});
