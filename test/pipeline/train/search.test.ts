import { describe, expect, it } from "vitest";
import { gridTrials, randomTrials } from "../../../src/pipeline/train/search.js";

describe("hyperparameter search", () => {
  it("enumerates the grid, first parameter slowest", () => {
    expect(gridTrials({ learningRate: [0.05, 0.1], maxLeaves: [15, 31] })).toEqual([
      { learningRate: 0.05, maxLeaves: 15 },
      { learningRate: 0.05, maxLeaves: 31 },
      { learningRate: 0.1, maxLeaves: 15 },
      { learningRate: 0.1, maxLeaves: 31 },
    ]);
  });

  it("draws distinct trials reproducibly for a seed, differently for another", () => {
    const space = { learningRate: [0.05, 0.1], maxLeaves: [15, 31, 63], minSamplesLeaf: [10, 20] };
    const a = randomTrials(space, 4, 7);
    expect(randomTrials(space, 4, 7)).toEqual(a);
    expect(new Set(a.map((t) => JSON.stringify(t))).size).toBe(4);
    expect(randomTrials(space, 4, 8)).not.toEqual(a);
    expect(randomTrials(space, 50, 1)).toHaveLength(12);
    expect(() => randomTrials(space, 0, 1)).toThrow("config: --trials must be an integer >= 1, got 0");
  });
});
