import { describe, expect, it } from "vitest";
import { featureMatrixFromRows, fitGbm, GbmModel, type GbmModelJson } from "../../../../src/pipeline/models/gbm/index.js";
import { Rng } from "../../../../src/pipeline/models/gbm/prng.js";

const rng = new Rng(12);
const names = ["lag_1", "lag_24", "hour"];
const rows = Array.from({ length: 400 }, () => [rng.nextFloat() < 0.1 ? NaN : rng.nextFloat() * 3 - 1, rng.nextFloat() * 1e-7, rng.nextInt(24)]);
const y = Float64Array.from(rows, ([a, b, h]) => (Number.isNaN(a) ? 0.3 : Math.sin(a)) + b * 1e6 + (h > 17 ? 0.25 : 0));
const X = featureMatrixFromRows(rows, names);
const model = fitGbm(X, y, { nIterations: 60, learningRate: 0.1, maxLeaves: 7, minSamplesLeaf: 3, rowSubsample: 0.8, seed: 4 });
const json = (): GbmModelJson => JSON.parse(JSON.stringify(model)) as GbmModelJson;

describe("model JSON", () => {
  it("round-trips with bit-identical predictions", () => {
    const loaded = GbmModel.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(loaded.nTrees).toBe(model.nTrees);
    expect(loaded.featureNames).toEqual(names);
    expect(loaded.toJSON()).toEqual(model.toJSON());
    const probe = featureMatrixFromRows(
      [...rows.slice(0, 50), [NaN, NaN, NaN], [1e300, -1e300, 5], ...model.trees.slice(0, 5).map((t) => [t.threshold[0], t.threshold[0], t.threshold[0]])],
      names,
    );
    const a = model.predict(probe);
    const b = loaded.predict(probe);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    for (let r = 0; r < probe.nRows; r++) expect(Object.is(loaded.predictRow(probe.columns.map((c) => c[r])), a[r])).toBe(true);
  });

  it("is versioned and holds the fitted parameters", () => {
    const j = json();
    expect(j.format).toBe("energy-forecast/gbm");
    expect(j.version).toBe(1);
    expect(j.params).toMatchObject({ nIterations: 60, learningRate: 0.1, maxLeaves: 7, rowSubsample: 0.8, seed: 4 });
    expect(j.nFeatures).toBe(3);
    expect(j.trees.some((t) => t.missingLeft.includes(1))).toBe(true);
  });

  it("keeps a model without feature names", () => {
    const anonymous = fitGbm(featureMatrixFromRows(rows), y, { nIterations: 3 });
    expect(GbmModel.fromJSON(JSON.parse(JSON.stringify(anonymous))).featureNames).toBeNull();
  });
});

describe("loading a corrupt or foreign model", () => {
  const load = (mutate: (j: Record<string, unknown> & GbmModelJson) => void): (() => GbmModel) => {
    const j = json() as Record<string, unknown> & GbmModelJson;
    mutate(j);
    return () => GbmModel.fromJSON(j);
  };
  const tail = "; the file is damaged or was not written by GbmModel.toJSON()";

  it("rejects another format, another version, and non-objects", () => {
    expect(load((j) => (j.format = "xgboost" as never))).toThrow('model: not a GBM model: format is "xgboost", expected "energy-forecast/gbm"');
    expect(load((j) => (j.version = 2 as never))).toThrow(
      "model: unsupported GBM model version 2; this code reads version 1, retrain the model with this code",
    );
    expect(() => GbmModel.fromJSON([1, 2])).toThrow("model: not a GBM model: expected a JSON object, got an array");
    expect(() => GbmModel.fromJSON(null)).toThrow("model: not a GBM model: expected a JSON object, got null");
  });

  it("rejects arrays of mismatched lengths", () => {
    expect(load((j) => j.trees[0].threshold.pop())).toThrow(
      `model: corrupt GBM model: trees[0].threshold has ${model.trees[0].nInternal - 1} entries but splitFeature has ${model.trees[0].nInternal} (one per split)${tail}`,
    );
    expect(load((j) => j.trees[1].leafValue.push(0))).toThrow(
      `model: corrupt GBM model: trees[1].leafValue has ${model.trees[1].nLeaves + 1} entries, expected ${model.trees[1].nLeaves} (splits + 1)${tail}`,
    );
  });

  it("rejects child indices out of range or pointing backwards (a cycle would hang prediction)", () => {
    const m = model.trees[0].nInternal;
    expect(load((j) => (j.trees[0].leftChild[0] = 99))).toThrow(
      `model: corrupt GBM model: trees[0].leftChild[0] = 99 is out of range (the tree has ${m} splits and ${m + 1} leaves)${tail}`,
    );
    expect(load((j) => (j.trees[0].rightChild[0] = -99))).toThrow(
      `model: corrupt GBM model: trees[0].rightChild[0] = -99 is out of range (the tree has ${m} splits and ${m + 1} leaves)${tail}`,
    );
    const internal = model.trees[0].rightChild.findIndex((c, k) => c >= 0 && k >= 0);
    expect(internal).toBeGreaterThanOrEqual(0);
    expect(load((j) => (j.trees[0].rightChild[internal] = internal))).toThrow(
      `model: corrupt GBM model: trees[0].rightChild[${internal}] = ${internal} points back to node ${internal}; a child must have a larger index than its parent${tail}`,
    );
  });

  it("rejects a leaf reached twice and bad values", () => {
    const stump = { splitFeature: [0], threshold: [0.5], missingLeft: [0], leftChild: [-1], rightChild: [-1], leafValue: [1, 2], splitGain: [1] };
    expect(load((j) => (j.trees[0] = stump))).toThrow(`model: corrupt GBM model: trees[0] leaf 0 is the child of 2 nodes, expected 1${tail}`);
    expect(load((j) => (j.trees[0].splitFeature[0] = 3))).toThrow(
      `model: corrupt GBM model: trees[0].splitFeature[0] is 3, expected feature indices in 0..2${tail}`,
    );
    expect(load((j) => (j.trees[0].threshold[0] = null as never))).toThrow(
      `model: corrupt GBM model: trees[0].threshold[0] is null, expected finite numbers${tail}`,
    );
    expect(load((j) => (j.trees[0].missingLeft[0] = 2))).toThrow(`model: corrupt GBM model: trees[0].missingLeft[0] is 2, expected 0 or 1${tail}`);
    expect(load((j) => (j.initScore = "1" as never))).toThrow(`model: corrupt GBM model: initScore is "1", expected a finite number${tail}`);
    expect(load((j) => (j.featureNames = ["a"]))).toThrow(`model: corrupt GBM model: featureNames must be null or 3 strings (one per feature)${tail}`);
    expect(load((j) => (j.params.learningRate = -1))).toThrow(
      `model: corrupt GBM model: params are invalid (config: gbm parameter learningRate must be a number > 0, got -1)${tail}`,
    );
  });
});

describe("prediction", () => {
  it("predicts the same row by row and in batch, and checks the features", () => {
    const batch = model.predict(X);
    for (let r = 0; r < 20; r++) expect(model.predictRow(rows[r])).toBe(batch[r]);
    const f32 = { nRows: 2, nFeatures: 3, columns: [Float32Array.from([0.5, NaN]), Float32Array.from([0, 0]), Float32Array.from([3, 20])], names };
    expect(Array.from(model.predict(f32))).toEqual([model.predictRow([0.5, 0, 3]), model.predictRow([NaN, 0, 20])]);
    expect(() => model.predictRow([1, 2])).toThrow("model: predictRow: row has 2 values but the model was trained on 3 features");
    expect(() => model.predict(featureMatrixFromRows([[1, 2]]))).toThrow(
      "model: predict: X has 2 features but the model was trained on 3; build the features with the same code and settings as for training",
    );
    expect(() => model.predict(featureMatrixFromRows([[1, 2, 3]], ["lag_1", "hour", "lag_24"]))).toThrow(
      'model: predict: feature 1 is "hour" but the model was trained with "lag_24" there; features must come in the training order',
    );
  });
});
