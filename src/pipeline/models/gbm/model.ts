/**
 * A fitted gradient-boosting model: prediction, feature importance and (de)serialisation.
 */
import { PipelineError } from "../../core/errors.js";
import { FlatEnsemble } from "./ensemble.js";
import type { GrowStats } from "./grow.js";
import { checkMatrixShape, type FeatureMatrix } from "./matrix.js";
import type { GbmParams } from "./params.js";
import { GBM_FORMAT, GBM_FORMAT_VERSION, modelFromJson, treeToJson, type GbmModelContent, type GbmModelJson } from "./serialize.js";
import type { GbmTree } from "./tree.js";

/** Why boosting ended. */
export type GbmStopReason = "iterations" | "early-stopping" | "no-split";

/** How a fit went (kept in memory only; not part of the JSON format). */
export interface GbmTrainingSummary {
  /** Trees grown before any early-stopping truncation. */
  iterationsRun: number;
  /** Number of trees with the lowest validation loss (0 = the constant model); equals iterationsRun without validation data. */
  bestIteration: number;
  stoppedBy: GbmStopReason;
  trainRows: number;
  validRows: number;
  /** Validation RMSE of the kept model, when there was validation data. */
  validRmse?: number;
  /** Work counters of the tree grower. */
  stats: GrowStats;
}

/** A fitted model. Create with `fitGbm` or {@link GbmModel.fromJSON}. */
export class GbmModel {
  readonly params: GbmParams;
  readonly nFeatures: number;
  readonly featureNames: string[] | null;
  readonly initScore: number;
  readonly trees: readonly GbmTree[];
  /** Set by `fitGbm`; undefined for a model loaded from JSON. */
  readonly training: GbmTrainingSummary | undefined;
  private readonly ensemble: FlatEnsemble;
  private readonly rowBuffer: Float64Array;

  constructor(content: GbmModelContent, training?: GbmTrainingSummary) {
    this.params = content.params;
    this.nFeatures = content.nFeatures;
    this.featureNames = content.featureNames;
    this.initScore = content.initScore;
    this.trees = content.trees;
    this.training = training;
    this.ensemble = new FlatEnsemble(content.trees, content.initScore);
    this.rowBuffer = new Float64Array(content.nFeatures);
  }

  /** Number of trees. */
  get nTrees(): number {
    return this.trees.length;
  }

  /** Predictions for every row of `X` (same features, in the same order, as in training). */
  predict(X: FeatureMatrix): Float64Array {
    checkMatrixShape(X, "predict");
    this.checkFeatures(X);
    const out = new Float64Array(X.nRows);
    const row = this.rowBuffer;
    const { columns } = X;
    for (let r = 0; r < X.nRows; r++) {
      for (let f = 0; f < this.nFeatures; f++) row[f] = columns[f][r];
      out[r] = this.ensemble.predictRow(row);
    }
    return out;
  }

  /** Prediction for one row of raw feature values (NaN = missing). */
  predictRow(row: ArrayLike<number>): number {
    if (row.length !== this.nFeatures) {
      throw new PipelineError("model", `predictRow: row has ${row.length} values but the model was trained on ${this.nFeatures} features`);
    }
    return this.ensemble.predictRow(row);
  }

  /** Per feature: total split gain ("gain", in squared target units) or number of splits ("split"). */
  featureImportance(kind: "gain" | "split"): Float64Array {
    const out = new Float64Array(this.nFeatures);
    for (const tree of this.trees) {
      for (let k = 0; k < tree.nInternal; k++) out[tree.splitFeature[k]] += kind === "gain" ? tree.splitGain[k] : 1;
    }
    return out;
  }

  /** The versioned JSON form; `JSON.stringify` it, and load it back with {@link GbmModel.fromJSON}. */
  toJSON(): GbmModelJson {
    return {
      format: GBM_FORMAT,
      version: GBM_FORMAT_VERSION,
      params: { ...this.params },
      nFeatures: this.nFeatures,
      featureNames: this.featureNames === null ? null : [...this.featureNames],
      initScore: this.initScore,
      trees: this.trees.map(treeToJson),
    };
  }

  /** Loads a model from its parsed JSON; throws PipelineError("model", ...) on a wrong format, version or corrupt content. */
  static fromJSON(json: unknown): GbmModel {
    return new GbmModel(modelFromJson(json));
  }

  private checkFeatures(X: FeatureMatrix): void {
    if (X.nFeatures !== this.nFeatures) {
      throw new PipelineError(
        "model",
        `predict: X has ${X.nFeatures} features but the model was trained on ${this.nFeatures}; build the features with the same code and settings as for training`,
      );
    }
    const names = this.featureNames;
    if (names === null || X.names === undefined) return;
    for (let f = 0; f < names.length; f++) {
      if (X.names[f] !== names[f]) {
        throw new PipelineError(
          "model",
          `predict: feature ${f} is "${X.names[f]}" but the model was trained with "${names[f]}" there; features must come in the training order`,
        );
      }
    }
  }
}
