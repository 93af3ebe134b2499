/**
 * A fitted regression tree in flat typed arrays (LightGBM's layout).
 *
 * Internal nodes are numbered 0..nInternal-1 in the order they were split, so node 0 is the root
 * and a child node always has a larger number than its parent. A child index >= 0 is an internal
 * node; a negative index `c` is leaf `~c` (= -c - 1). A tree without splits is the single leaf 0.
 * Node `k` sends a row left when its value `x` satisfies `x <= threshold[k]`, or when `x` is NaN
 * and `missingLeft[k]` is 1.
 */

/** One regression tree. Leaf values already include the learning rate. */
export class GbmTree {
  constructor(
    /** Feature tested by each internal node. */
    readonly splitFeature: Int32Array,
    /** Raw-value threshold of each internal node (left when x <= threshold). */
    readonly threshold: Float64Array,
    /** 1 when missing values go left at the node. */
    readonly missingLeft: Uint8Array,
    /** Left child of each internal node (>= 0 internal, < 0 leaf ~c). */
    readonly leftChild: Int32Array,
    /** Right child of each internal node. */
    readonly rightChild: Int32Array,
    /** Value of each leaf (nInternal + 1 of them). */
    readonly leafValue: Float64Array,
    /** Loss reduction of each split, in target units squared (for feature importance). */
    readonly splitGain: Float64Array,
  ) {}

  /** Number of internal nodes (splits). */
  get nInternal(): number {
    return this.splitFeature.length;
  }

  /** Number of leaves. */
  get nLeaves(): number {
    return this.leafValue.length;
  }

  /** Leaf reached by a row of raw feature values. */
  leafIndex(row: ArrayLike<number>): number {
    if (this.splitFeature.length === 0) return 0;
    let node = 0;
    while (node >= 0) {
      const x = row[this.splitFeature[node]];
      node = x <= this.threshold[node] || (x !== x && this.missingLeft[node] === 1) ? this.leftChild[node] : this.rightChild[node];
    }
    return ~node;
  }

  /** Depth of every leaf (root = depth 0), for inspection and tests. */
  leafDepths(): Int32Array {
    const depths = new Int32Array(this.leafValue.length);
    const walk = (node: number, depth: number): void => {
      if (node < 0) {
        depths[~node] = depth;
        return;
      }
      walk(this.leftChild[node], depth + 1);
      walk(this.rightChild[node], depth + 1);
    };
    if (this.splitFeature.length > 0) walk(0, 0);
    return depths;
  }
}
