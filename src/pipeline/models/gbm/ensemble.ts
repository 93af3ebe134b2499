/**
 * All trees of a model concatenated into one set of typed arrays, for fast prediction: one pass
 * per row over the trees, no per-tree objects, children as absolute indices (leaves negative).
 */
import type { GbmTree } from "./tree.js";

/** A read-only flattened ensemble. */
export class FlatEnsemble {
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly missingLeft: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly leafValue: Float64Array;
  private readonly roots: Int32Array;

  constructor(
    trees: readonly GbmTree[],
    private readonly initScore: number,
  ) {
    let nodes = 0;
    let leaves = 0;
    for (const t of trees) {
      nodes += t.nInternal;
      leaves += t.nLeaves;
    }
    this.feature = new Int32Array(nodes);
    this.threshold = new Float64Array(nodes);
    this.missingLeft = new Uint8Array(nodes);
    this.left = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.leafValue = new Float64Array(leaves);
    this.roots = new Int32Array(trees.length);
    let nodeOffset = 0;
    let leafOffset = 0;
    const relocate = (c: number): number => (c >= 0 ? c + nodeOffset : ~(~c + leafOffset));
    trees.forEach((t, i) => {
      this.roots[i] = t.nInternal > 0 ? nodeOffset : ~leafOffset;
      this.feature.set(t.splitFeature, nodeOffset);
      this.threshold.set(t.threshold, nodeOffset);
      this.missingLeft.set(t.missingLeft, nodeOffset);
      for (let k = 0; k < t.nInternal; k++) {
        this.left[nodeOffset + k] = relocate(t.leftChild[k]);
        this.right[nodeOffset + k] = relocate(t.rightChild[k]);
      }
      this.leafValue.set(t.leafValue, leafOffset);
      nodeOffset += t.nInternal;
      leafOffset += t.nLeaves;
    });
  }

  /** Prediction for one row of raw values: init + the trees' leaf values, added in tree order. */
  predictRow(row: ArrayLike<number>): number {
    const { feature, threshold, missingLeft, left, right, leafValue, roots } = this;
    let sum = this.initScore;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t];
      while (node >= 0) {
        const x = row[feature[node]];
        node = x <= threshold[node] || (x !== x && missingLeft[node] === 1) ? left[node] : right[node];
      }
      sum += leafValue[~node];
    }
    return sum;
  }
}
