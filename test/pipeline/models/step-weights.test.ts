import { describe, expect, it } from "vitest";
import { candidateScores, chooseStepWeights, simplexGrid } from "../../../src/pipeline/models/step-weights.js";

const OPTS = { horizon: 2, gridSteps: 10, window: 0, shrink: 0 };

describe("per-step weights from inner folds", () => {
  it("enumerates the simplex grid", () => {
    expect(simplexGrid(2, 2)).toEqual([
      [0, 1],
      [0.5, 0.5],
      [1, 0],
    ]);
    expect(simplexGrid(3, 10)).toHaveLength(66);
    for (const w of simplexGrid(3, 10)) expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("gives each step to the member that was right at that step", () => {
    // Two series x 2 steps; member 0 is exact at step 1, member 1 at step 2.
    const actual = [100, 200, 10, 20];
    const m0 = [100, 260, 10, 26];
    const m1 = [130, 200, 13, 20];
    expect(chooseStepWeights([{ members: [m0, m1], actual }], 2, OPTS)).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it("pools neighbouring steps with a window, and shrinks toward equal weights", () => {
    const actual = [100, 200, 10, 20];
    const m0 = [100, 210, 10, 21]; // exact, then 5 % off
    const m1 = [150, 200, 15, 20]; // 50 % off, then exact
    const pooled = chooseStepWeights([{ members: [m0, m1], actual }], 2, { ...OPTS, window: 1 });
    expect(pooled[0]).toEqual(pooled[1]);
    expect(pooled[0][0]).toBeGreaterThan(0.5);
    const shrunk = chooseStepWeights([{ members: [m0, m1], actual }], 2, { ...OPTS, shrink: 0.5 });
    expect(shrunk).toEqual([
      [0.75, 0.25],
      [0.25, 0.75],
    ]);
  });

  it("falls back to equal weights without usable points (no folds, zero actuals, missing forecasts)", () => {
    expect(chooseStepWeights([], 3, OPTS)).toEqual([
      [1 / 3, 1 / 3, 1 / 3],
      [1 / 3, 1 / 3, 1 / 3],
    ]);
    const w = chooseStepWeights(
      [
        {
          members: [
            [1, NaN],
            [2, 5],
          ],
          actual: [0, 5],
        },
      ],
      2,
      OPTS,
    );
    expect(w).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    expect(() => chooseStepWeights([{ members: [[1]], actual: [1] }], 2, OPTS)).toThrow("expected 2");
  });

  it("chooses among named candidates only, preferring the first on a tie and without points", () => {
    const candidates = [
      [0.5, 0.5, 0],
      [1, 0, 0],
      [0, 0, 1],
    ];
    const opts = { ...OPTS, window: 1, candidates };
    // Member 1 is exact at both steps; no candidate holds it alone, so the best is the blend holding it.
    const fold = {
      members: [
        [8, 8],
        [10, 10],
        [4, 4],
      ],
      actual: [10, 10],
    };
    expect(chooseStepWeights([fold], 3, opts)).toEqual([
      [0.5, 0.5, 0],
      [0.5, 0.5, 0],
    ]);
    // Member 2 exact: the candidate of it alone, although the grid would have had others.
    expect(chooseStepWeights([{ ...fold, actual: [4, 4] }], 3, opts)).toEqual([
      [0, 0, 1],
      [0, 0, 1],
    ]);
    // A tie between [1, 0, 0] and [0, 0, 1] (10 and 30 against 20: both 50 % off) goes to the earlier.
    expect(
      chooseStepWeights(
        [
          {
            members: [
              [10, 10],
              [99, 99],
              [30, 30],
            ],
            actual: [20, 20],
          },
        ],
        3,
        { ...opts, candidates: candidates.slice(1) },
      ),
    ).toEqual([
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(chooseStepWeights([], 3, opts)).toEqual([
      [0.5, 0.5, 0],
      [0.5, 0.5, 0],
    ]);
    expect(() => chooseStepWeights([fold], 3, { ...opts, candidates: [[1, 0]] })).toThrow("step weights: every candidate needs 3 weights, got [[1,0]]");
    // Their MAPEs over both steps: the blend 9 against 10 (10 %), member 0 alone 20 %, member 2 alone 60 %.
    expect(candidateScores([fold], 3, candidates, 2).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([0.1, 0.2, 0.6]);
    expect(candidateScores([], 3, candidates, 2)).toEqual([NaN, NaN, NaN]);
  });
});
