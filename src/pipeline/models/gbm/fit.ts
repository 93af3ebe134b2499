/**
 * The boosting loop: squared-error gradient boosting with histogram trees (LightGBM's algorithm).
 *
 * Start from the mean of y; each round grows one leaf-wise tree on the gradients of the squared
 * error (prediction - y, hessian 1) of the current bag of rows, over the features sampled for the
 * tree, and adds its shrunken leaf values. With validation data the validation RMSE is tracked;
 * with `earlyStoppingRounds` training stops once it has not improved for that many rounds and the
 * model keeps the best number of trees (possibly 0: the constant model).
 */
import { ConfigError, PipelineError } from "../../core/errors.js";
import { Arena } from "./arena.js";
import { binLayout, binMatrix } from "./binning.js";
import { FixedPointResiduals } from "./fixedpoint.js";
import { histogramBuffers, TreeGrower } from "./grow.js";
import { kernelArenaBytes } from "./kernels.js";
import { checkMatrixShape, checkTarget, checkTrainingValues, sliceRows, type FeatureColumn, type FeatureMatrix } from "./matrix.js";
import { GbmModel, type GbmStopReason } from "./model.js";
import { resolveGbmParams, type GbmParams } from "./params.js";
import { deriveSeed, Rng, sampleSortedIndices } from "./prng.js";
import type { GbmTree } from "./tree.js";

/** Progress of one boosting round, given to `onIteration`. */
export interface GbmIterationInfo {
  /** Trees so far (1-based round number). */
  iteration: number;
  /** Leaves of the tree just grown. */
  nLeaves: number;
  /** Training RMSE over all training rows, bagged or not (from the fixed-point residuals: exact to ~1e-6 of y's spread). */
  trainRmse: number;
  /** Validation RMSE, when there is validation data. */
  validRmse?: number;
  /** Best number of trees so far by validation RMSE (the current one without validation data). */
  bestIteration: number;
}

/** Options of {@link fitGbm} that are data or callbacks rather than hyper-parameters. */
export interface GbmFitOptions {
  /** Validation rows (for a forecaster: a time-ordered tail after the training rows). */
  validation?: { X: FeatureMatrix; y: Float64Array };
  /** Called after every round. */
  onIteration?(info: GbmIterationInfo): void;
  /** "js" forces the JavaScript histogram kernel instead of WebAssembly (same results; for tests and debugging). */
  kernel?: "auto" | "js";
  /** Time each phase of tree growth into `model.training.stats.timings` (for benchmarks). */
  collectTimings?: boolean;
}

/** Random streams, one per purpose, so one option does not shift another's draws. */
const STREAM_BINNING = 1;
const STREAM_BAGGING = 2;
const STREAM_FEATURES = 3;

/**
 * Fits a gradient-boosting regressor (squared error) on `X` (column-major, NaN = missing) and `y`.
 * Throws ConfigError for bad parameters and PipelineError("model", ...) for bad data.
 */
export function fitGbm(X: FeatureMatrix, y: Float64Array, params: Partial<GbmParams> = {}, options: GbmFitOptions = {}): GbmModel {
  const p = resolveGbmParams(params);
  checkMatrixShape(X, "fitGbm: X");
  checkTarget(y, X.nRows, "fitGbm");
  if (X.nFeatures < 1) throw new PipelineError("model", "fitGbm: X has no features; give at least one feature column");

  const { trainX, trainY, validX, validY } = splitValidation(X, y, p, options);
  if (trainX.nRows < 1) throw new PipelineError("model", "fitGbm: no training rows; give at least one row");
  if (p.earlyStoppingRounds !== undefined && validX === null) {
    throw new ConfigError("gbm parameter earlyStoppingRounds needs validation data: pass options.validation or set validationFraction");
  }
  checkTrainingValues(trainX, "fitGbm");

  const n = trainX.nRows;
  const nFeatures = trainX.nFeatures;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += trainY[r];
  const init = sum / n + 0; // + 0 turns -0 into 0

  // One memory block for everything the histogram kernel reads or writes (arena.ts).
  const { rowStride, histStride } = binLayout(nFeatures, p.maxBins);
  const arena = Arena.create(
    Arena.bytesFor(n * rowStride) +
      Arena.bytesFor(8 * n) +
      Arena.bytesFor(4 * n) +
      histogramBuffers(p.maxLeaves) * Arena.bytesFor(8 * rowStride * histStride) +
      Arena.bytesFor(n * nFeatures) +
      kernelArenaBytes(n, nFeatures),
    options.kernel !== "js",
  );
  const binned = binMatrix(trainX, p.maxBins, p.binSampleSize, new Rng(deriveSeed(p.seed, STREAM_BINNING)), (length) => arena.u8(length));
  const residuals = new FixedPointResiduals(trainY, init, arena.f64(n));
  const grower = new TreeGrower(
    binned,
    residuals,
    {
      maxLeaves: p.maxLeaves,
      maxDepth: p.maxDepth,
      minCount: Math.max(p.minSamplesLeaf, Math.ceil(p.minHessianLeaf), 1),
      l2: p.l2,
      minGainToSplit: p.minGainToSplit,
      learningRate: p.learningRate,
      collectTimings: options.collectTimings === true,
    },
    arena,
  );
  const bagRng = new Rng(deriveSeed(p.seed, STREAM_BAGGING));
  const featureRng = new Rng(deriveSeed(p.seed, STREAM_FEATURES));
  const bagSize = Math.max(1, Math.round(p.rowSubsample * n));
  const nUsed = Math.max(1, Math.round(p.featureSubsample * nFeatures));
  const features = new Int32Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) features[f] = f;

  const validPred = validX === null ? null : new Float64Array(validX.nRows).fill(init);
  let bestLoss = validPred === null ? Infinity : meanSquaredError(validPred, validY as Float64Array);
  let lastLoss = bestLoss;
  let bestIteration = 0;
  const trees: GbmTree[] = [];
  let stoppedBy: GbmStopReason = "iterations";

  for (let it = 0; it < p.nIterations; it++) {
    if (bagSize < n && it % p.baggingFrequency === 0) grower.setBag(sampleSortedIndices(n, bagSize, bagRng));
    if (nUsed < nFeatures) sampleFeatures(features, nUsed, featureRng);
    const tree = grower.grow(features, nUsed);
    if (tree === null) {
      stoppedBy = "no-split";
      break;
    }
    trees.push(tree);
    if (residuals.rescaleIfNeeded()) grower.invalidateRoot();

    let validRmse: number | undefined;
    if (validPred !== null && validX !== null && validY !== null) {
      addTreePredictions(tree, validX.columns, validX.nRows, validPred);
      const loss = meanSquaredError(validPred, validY);
      lastLoss = loss;
      validRmse = Math.sqrt(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestIteration = trees.length;
      }
    } else {
      bestIteration = trees.length;
    }
    options.onIteration?.({
      iteration: trees.length,
      nLeaves: tree.nLeaves,
      trainRmse: Math.sqrt(residuals.meanSquaredError()),
      ...(validRmse === undefined ? {} : { validRmse }),
      bestIteration,
    });
    if (p.earlyStoppingRounds !== undefined && trees.length - bestIteration >= p.earlyStoppingRounds) {
      stoppedBy = "early-stopping";
      break;
    }
  }

  const iterationsRun = trees.length;
  const kept = p.earlyStoppingRounds !== undefined ? trees.slice(0, bestIteration) : trees;
  const summary = {
    iterationsRun,
    bestIteration: validPred === null ? iterationsRun : bestIteration,
    stoppedBy,
    trainRows: n,
    validRows: validX === null ? 0 : validX.nRows,
    ...(validPred === null ? {} : { validRmse: Math.sqrt(kept.length === bestIteration ? bestLoss : lastLoss) }),
    stats: { ...grower.stats, timings: { ...grower.stats.timings } },
  };
  return new GbmModel({ params: p, nFeatures, featureNames: X.names === undefined ? null : [...X.names], initScore: init, trees: kept }, summary);
}

interface DataSplit {
  trainX: FeatureMatrix;
  trainY: Float64Array;
  validX: FeatureMatrix | null;
  validY: Float64Array | null;
}

/** Separates the validation rows: given explicitly, or the last `validationFraction` of the rows. */
function splitValidation(X: FeatureMatrix, y: Float64Array, p: GbmParams, options: GbmFitOptions): DataSplit {
  const validation = options.validation;
  if (validation !== undefined && p.validationFraction !== undefined) {
    throw new ConfigError("give either options.validation or the gbm parameter validationFraction, not both");
  }
  if (validation !== undefined) {
    checkMatrixShape(validation.X, "fitGbm: validation X");
    checkTarget(validation.y, validation.X.nRows, "fitGbm: validation");
    if (validation.X.nFeatures !== X.nFeatures) {
      throw new PipelineError(
        "model",
        `fitGbm: validation X has ${validation.X.nFeatures} features but X has ${X.nFeatures}; build both with the same feature code`,
      );
    }
    if (validation.X.names !== undefined && X.names !== undefined) {
      const f = X.names.findIndex((name, i) => validation.X.names?.[i] !== name);
      if (f >= 0)
        throw new PipelineError(
          "model",
          `fitGbm: validation feature ${f} is "${validation.X.names[f]}" but X has "${X.names[f]}"; features must come in the same order`,
        );
    }
    if (validation.X.nRows < 1) throw new PipelineError("model", "fitGbm: validation set has no rows");
    return { trainX: X, trainY: y, validX: validation.X, validY: validation.y };
  }
  if (p.validationFraction !== undefined) {
    const nValid = Math.round(p.validationFraction * X.nRows);
    const nTrain = X.nRows - nValid;
    if (nValid < 1 || nTrain < 1) {
      throw new PipelineError(
        "model",
        `fitGbm: validationFraction ${p.validationFraction} of ${X.nRows} rows leaves ${nTrain} training and ${nValid} validation rows; each needs at least 1`,
      );
    }
    return {
      trainX: sliceRows(X, 0, nTrain),
      trainY: y.subarray(0, nTrain),
      validX: sliceRows(X, nTrain, X.nRows),
      validY: y.subarray(nTrain),
    };
  }
  return { trainX: X, trainY: y, validX: null, validY: null };
}

/** Puts `k` features drawn without replacement into `features[0..k)`, in increasing order (partial Fisher-Yates). */
function sampleFeatures(features: Int32Array, k: number, rng: Rng): void {
  const n = features.length;
  for (let f = 0; f < n; f++) features[f] = f;
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(n - i);
    const t = features[i];
    features[i] = features[j];
    features[j] = t;
  }
  features.subarray(0, k).sort();
}

/** `out[r] += tree(row r)`, reading the raw columns directly. */
function addTreePredictions(tree: GbmTree, columns: FeatureColumn[], nRows: number, out: Float64Array): void {
  const { splitFeature, threshold, missingLeft, leftChild, rightChild, leafValue } = tree;
  for (let r = 0; r < nRows; r++) {
    let node = 0;
    while (node >= 0) {
      const x = columns[splitFeature[node]][r];
      node = x <= threshold[node] || (x !== x && missingLeft[node] === 1) ? leftChild[node] : rightChild[node];
    }
    out[r] += leafValue[~node];
  }
}

function meanSquaredError(pred: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < pred.length; r++) {
    const d = pred[r] - y[r];
    sum += d * d;
  }
  return sum / pred.length;
}
