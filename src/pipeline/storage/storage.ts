/**
 * The one storage interface every pipeline output goes through. Keys are `/`-separated paths
 * relative to the store's root (no leading slash, no `..`), e.g. `features/energy_consumption/v1/manifest.json`.
 */
export interface Storage {
  /** Where this store points, for messages and manifests (never contains credentials). */
  readonly uri: string;
  /** Reads a whole object. Throws {@link NotFoundError} when it does not exist. */
  read(key: string): Promise<Uint8Array>;
  /**
   * Writes a whole object atomically: readers see either the previous content or the new one,
   * never a partial object, even if the process dies mid-write.
   */
  write(key: string, data: Uint8Array | string, options?: WriteOptions): Promise<void>;
  /** Keys under `prefix` (a plain string prefix, not only folder boundaries), sorted ascending. */
  list(prefix: string): Promise<string[]>;
  /** True when the object exists. */
  exists(key: string): Promise<boolean>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
}

export interface WriteOptions {
  /** MIME type recorded where the backend supports it (GCS). */
  contentType?: string;
}
