/**
 * The learner's input: a column-major numeric matrix where NaN marks a missing value.
 */
import { PipelineError } from "../../core/errors.js";

/** A numeric feature column; Float32 halves memory, values are compared as doubles either way. */
export type FeatureColumn = Float64Array | Float32Array;

/** Column-major feature matrix. `columns[f][r]` is feature `f` of row `r`; NaN = missing. */
export interface FeatureMatrix {
  nRows: number;
  nFeatures: number;
  columns: FeatureColumn[];
  /** Optional feature names; when both the model and the input have them they must match. */
  names?: string[];
}

/** Builds a {@link FeatureMatrix} from row arrays (convenient for tests and small inputs). */
export function featureMatrixFromRows(rows: ArrayLike<number>[], names?: string[]): FeatureMatrix {
  const nRows = rows.length;
  const nFeatures = nRows === 0 ? (names?.length ?? 0) : rows[0].length;
  const columns: Float64Array[] = [];
  for (let f = 0; f < nFeatures; f++) columns.push(new Float64Array(nRows));
  for (let r = 0; r < nRows; r++) {
    const row = rows[r];
    if (row.length !== nFeatures) {
      throw new PipelineError("model", `row ${r} has ${row.length} values but row 0 has ${nFeatures}; every row needs one value per feature`);
    }
    for (let f = 0; f < nFeatures; f++) columns[f][r] = row[f];
  }
  return names === undefined ? { nRows, nFeatures, columns } : { nRows, nFeatures, columns, names };
}

/** Checks the matrix's shape (and names length); `what` prefixes the messages. */
export function checkMatrixShape(X: FeatureMatrix, what: string): void {
  if (!Number.isInteger(X.nRows) || X.nRows < 0 || !Number.isInteger(X.nFeatures) || X.nFeatures < 0) {
    throw new PipelineError("model", `${what}: nRows and nFeatures must be non-negative integers, got ${X.nRows} x ${X.nFeatures}`);
  }
  if (X.columns.length !== X.nFeatures) {
    throw new PipelineError("model", `${what}: nFeatures is ${X.nFeatures} but ${X.columns.length} columns were given`);
  }
  for (let f = 0; f < X.nFeatures; f++) {
    const column = X.columns[f];
    if (!(column instanceof Float64Array || column instanceof Float32Array) || column.length !== X.nRows) {
      const got = column instanceof Float64Array || column instanceof Float32Array ? `${column.length} values` : "not a Float64Array/Float32Array";
      throw new PipelineError("model", `${what}: column ${f} (${featureName(X, f)}) must hold ${X.nRows} values, got ${got}`);
    }
  }
  if (X.names !== undefined && X.names.length !== X.nFeatures) {
    throw new PipelineError("model", `${what}: ${X.names.length} feature names for ${X.nFeatures} features`);
  }
}

/** Training features must be finite or NaN: an infinity is almost always a feature-building bug (a division by zero). */
export function checkTrainingValues(X: FeatureMatrix, what: string): void {
  for (let f = 0; f < X.nFeatures; f++) {
    const column = X.columns[f];
    for (let r = 0; r < column.length; r++) {
      const v = column[r];
      if (v === Infinity || v === -Infinity) {
        throw new PipelineError(
          "model",
          `${what}: feature ${featureName(X, f)} is ${v} at row ${r}; features must be finite or NaN (missing), check the feature code for a division by zero`,
        );
      }
    }
  }
}

/** Targets must be finite numbers. */
export function checkTarget(y: Float64Array, nRows: number, what: string): void {
  if (!(y instanceof Float64Array) || y.length !== nRows) {
    const got = y instanceof Float64Array ? `${y.length} values` : "not a Float64Array";
    throw new PipelineError("model", `${what}: y must be a Float64Array of ${nRows} values (one per row), got ${got}`);
  }
  for (let r = 0; r < nRows; r++) {
    if (!Number.isFinite(y[r])) {
      throw new PipelineError("model", `${what}: y[${r}] is ${y[r]}; targets must be finite, drop rows without a target before training`);
    }
  }
}

/** The rows `[begin, end)` of a matrix, sharing memory with it. */
export function sliceRows(X: FeatureMatrix, begin: number, end: number): FeatureMatrix {
  const columns = X.columns.map((c) => c.subarray(begin, end));
  const out: FeatureMatrix = { nRows: end - begin, nFeatures: X.nFeatures, columns };
  if (X.names !== undefined) out.names = X.names;
  return out;
}

/** Name of feature `f` for messages. */
export function featureName(X: { names?: string[] }, f: number): string {
  return X.names?.[f] !== undefined ? `"${X.names[f]}"` : `#${f}`;
}
