/**
 * The model's JSON format, and its validation on load.
 *
 * Every number is a double written by JSON.stringify, which prints the shortest text that parses
 * back to the same double, so thresholds and leaf values survive a round trip bit for bit.
 * (-0, which JSON cannot keep, is never produced by the learner.)
 */
import { ConfigError, PipelineError } from "../../core/errors.js";
import { resolveGbmParams, type GbmParams } from "./params.js";
import { GbmTree } from "./tree.js";

/** Format name written into every model file. */
export const GBM_FORMAT = "energy-forecast/gbm";
/** Version written by this code, and the only one it reads. */
export const GBM_FORMAT_VERSION = 1;

/** One tree in JSON: the arrays of {@link GbmTree}. */
export interface GbmTreeJson {
  splitFeature: number[];
  threshold: number[];
  missingLeft: number[];
  leftChild: number[];
  rightChild: number[];
  leafValue: number[];
  splitGain: number[];
}

/** The serialised model (`GbmModel.toJSON()`). */
export interface GbmModelJson {
  format: typeof GBM_FORMAT;
  version: typeof GBM_FORMAT_VERSION;
  params: GbmParams;
  nFeatures: number;
  featureNames: string[] | null;
  initScore: number;
  trees: GbmTreeJson[];
}

/** The validated content of a model file. */
export interface GbmModelContent {
  params: GbmParams;
  nFeatures: number;
  featureNames: string[] | null;
  initScore: number;
  trees: GbmTree[];
}

/** Serialises a tree. */
export function treeToJson(tree: GbmTree): GbmTreeJson {
  return {
    splitFeature: Array.from(tree.splitFeature),
    threshold: Array.from(tree.threshold),
    missingLeft: Array.from(tree.missingLeft),
    leftChild: Array.from(tree.leftChild),
    rightChild: Array.from(tree.rightChild),
    leafValue: Array.from(tree.leafValue),
    splitGain: Array.from(tree.splitGain),
  };
}

function corrupt(path: string, problem: string): PipelineError {
  return new PipelineError("model", `corrupt GBM model: ${path} ${problem}; the file is damaged or was not written by GbmModel.toJSON()`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberArray(value: unknown, path: string, ok: (v: number) => boolean, expected: string): number[] {
  if (!Array.isArray(value)) throw corrupt(path, `is ${describe(value)}, expected an array of ${expected}`);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== "number" || !ok(v)) throw corrupt(`${path}[${i}]`, `is ${JSON.stringify(v) ?? String(v)}, expected ${expected}`);
  }
  return value as number[];
}

const finite = (v: number): boolean => Number.isFinite(v);

/** Validates and loads one tree; `path` names it in messages. */
function treeFromJson(value: unknown, path: string, nFeatures: number): GbmTree {
  if (!isRecord(value)) throw corrupt(path, `is ${describe(value)}, expected an object`);
  const splitFeature = numberArray(
    value.splitFeature,
    `${path}.splitFeature`,
    (v) => Number.isInteger(v) && v >= 0 && v < nFeatures,
    `feature indices in 0..${nFeatures - 1}`,
  );
  const m = splitFeature.length;
  const arrays = {
    threshold: numberArray(value.threshold, `${path}.threshold`, finite, "finite numbers"),
    missingLeft: numberArray(value.missingLeft, `${path}.missingLeft`, (v) => v === 0 || v === 1, "0 or 1"),
    leftChild: numberArray(value.leftChild, `${path}.leftChild`, Number.isInteger, "integers"),
    rightChild: numberArray(value.rightChild, `${path}.rightChild`, Number.isInteger, "integers"),
    splitGain: numberArray(value.splitGain, `${path}.splitGain`, finite, "finite numbers"),
  };
  for (const [name, array] of Object.entries(arrays)) {
    if (array.length !== m) throw corrupt(`${path}.${name}`, `has ${array.length} entries but splitFeature has ${m} (one per split)`);
  }
  const leafValue = numberArray(value.leafValue, `${path}.leafValue`, finite, "finite numbers");
  if (leafValue.length !== m + 1) throw corrupt(`${path}.leafValue`, `has ${leafValue.length} entries, expected ${m + 1} (splits + 1)`);

  // Structure: children of node k are internal nodes > k or leaves, and every node but the root
  // and every leaf is reached exactly once. That makes it a tree (no cycles, no orphans).
  const nodeRefs = new Int32Array(m);
  const leafRefs = new Int32Array(m + 1);
  for (const side of ["leftChild", "rightChild"] as const) {
    const children = arrays[side];
    for (let k = 0; k < m; k++) {
      const c = children[k];
      if (c >= m || c < -(m + 1)) {
        throw corrupt(`${path}.${side}[${k}]`, `= ${c} is out of range (the tree has ${m} splits and ${m + 1} leaves)`);
      }
      if (c >= 0) {
        if (c <= k) throw corrupt(`${path}.${side}[${k}]`, `= ${c} points back to node ${c}; a child must have a larger index than its parent`);
        nodeRefs[c]++;
      } else {
        leafRefs[~c]++;
      }
    }
  }
  for (let k = 1; k < m; k++) if (nodeRefs[k] !== 1) throw corrupt(path, `node ${k} is the child of ${nodeRefs[k]} nodes, expected 1`);
  if (m > 0) {
    for (let l = 0; l <= m; l++) if (leafRefs[l] !== 1) throw corrupt(path, `leaf ${l} is the child of ${leafRefs[l]} nodes, expected 1`);
  }
  return new GbmTree(
    Int32Array.from(splitFeature),
    Float64Array.from(arrays.threshold),
    Uint8Array.from(arrays.missingLeft),
    Int32Array.from(arrays.leftChild),
    Int32Array.from(arrays.rightChild),
    Float64Array.from(leafValue),
    Float64Array.from(arrays.splitGain),
  );
}

/** Validates a parsed model file; throws PipelineError("model", ...) saying what is wrong. */
export function modelFromJson(json: unknown): GbmModelContent {
  if (!isRecord(json)) throw new PipelineError("model", `not a GBM model: expected a JSON object, got ${describe(json)}`);
  if (json.format !== GBM_FORMAT) {
    throw new PipelineError("model", `not a GBM model: format is ${JSON.stringify(json.format) ?? "missing"}, expected "${GBM_FORMAT}"`);
  }
  if (json.version !== GBM_FORMAT_VERSION) {
    throw new PipelineError(
      "model",
      `unsupported GBM model version ${JSON.stringify(json.version) ?? "(missing)"}; this code reads version ${GBM_FORMAT_VERSION}, retrain the model with this code`,
    );
  }
  if (!isRecord(json.params)) throw corrupt("params", `is ${describe(json.params)}, expected an object`);
  let params: GbmParams;
  try {
    params = resolveGbmParams(json.params as Partial<GbmParams>);
  } catch (error) {
    if (error instanceof ConfigError) throw corrupt("params", `are invalid (${error.message})`);
    throw error;
  }
  const nFeatures = json.nFeatures;
  if (typeof nFeatures !== "number" || !Number.isInteger(nFeatures) || nFeatures < 1) {
    throw corrupt("nFeatures", `is ${JSON.stringify(nFeatures) ?? "missing"}, expected an integer >= 1`);
  }
  let featureNames: string[] | null = null;
  if (json.featureNames !== null) {
    const names = json.featureNames;
    if (!Array.isArray(names) || names.length !== nFeatures || !names.every((n) => typeof n === "string")) {
      throw corrupt("featureNames", `must be null or ${nFeatures} strings (one per feature)`);
    }
    featureNames = names as string[];
  }
  if (typeof json.initScore !== "number" || !Number.isFinite(json.initScore)) {
    throw corrupt("initScore", `is ${JSON.stringify(json.initScore) ?? "missing"}, expected a finite number`);
  }
  if (!Array.isArray(json.trees)) throw corrupt("trees", `is ${describe(json.trees)}, expected an array`);
  const trees = json.trees.map((t: unknown, i: number) => treeFromJson(t, `trees[${i}]`, nFeatures));
  return { params, nFeatures, featureNames, initScore: json.initScore, trees };
}
