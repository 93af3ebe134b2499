/**
 * What the store already holds of each series, for the expectations that check a batch against
 * the stored series and not only against itself. Built by ingest from the stored rows of a recent
 * span; given to {@link validate} as `reference`. It is runtime input, like GE's evaluation
 * parameters: results name the stored values they compared with, so they stay readable without it.
 */
export interface SeriesReference {
  /**
   * Per series id (`seriesId` of the key values in `group_by` order, src/pipeline/series/key.ts):
   * its last stored hour and its largest stored value in the span read.
   */
  series: ReadonlyMap<string, StoredSeries>;
}

/** One stored series, as far as the reference span shows it. */
export interface StoredSeries {
  /** Last stored hour, epoch ms. */
  last: number;
  /** Largest stored value (null when every stored value is missing). */
  max: number | null;
}
