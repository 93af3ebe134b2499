import { describe, expect, it } from "vitest";
import { summariseArtifact } from "../../reports/data/lib/artifact.js";

/** A learner's artifact as the Model page reads it: its settings and its trees. */
const gbm = (name: string) => ({ kind: "gbm", name, learner: { params: { nIterations: 2, learningRate: 0.1 }, trees: [{}, {}] } });

describe("the Model page's components", () => {
  it("gives each member of a nested blend its weight within the whole model", () => {
    const artifact = {
      kind: "blend",
      name: "gbm-blend",
      weights: [0.5, 0.5],
      members: [
        { kind: "blend", name: "gbm-mean", weights: [0.5, 0.5], members: [gbm("gbm"), gbm("gbm-scale-24")] },
        { kind: "profile-naive", name: "profile-naive-3-level-24", days: 3, levelHours: 24 },
      ],
    };
    expect(summariseArtifact(artifact)).toEqual([
      { name: "gbm", kind: "gbm", weight: 0.25, settings: { nIterations: 2, learningRate: 0.1 }, size: "2 trees" },
      { name: "gbm-scale-24", kind: "gbm", weight: 0.25, settings: { nIterations: 2, learningRate: 0.1 }, size: "2 trees" },
      { name: "profile-naive-3-level-24", kind: "profile-naive", weight: 0.5, settings: { days: 3, levelHours: 24 }, size: null },
    ]);
  });

  it("leaves a weight unknown where the blend does not give one, and a lone model unweighted", () => {
    expect(summariseArtifact({ kind: "blend", name: "b", members: [gbm("gbm")] })).toMatchObject([{ name: "gbm", weight: null }]);
    expect(summariseArtifact(gbm("gbm"))).toMatchObject([{ name: "gbm", weight: null, size: "2 trees" }]);
  });
});
