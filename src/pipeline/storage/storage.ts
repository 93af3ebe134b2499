import { NotFoundError } from "../core/errors.js";

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
  /**
   * Creates the object only if no object exists at `key`, atomically: of any number of concurrent
   * callers (in any process) exactly one gets true, and readers never see partial content.
   * Returns false, leaving the existing object untouched, when it already exists. The building
   * block of locks (src/pipeline/lock/).
   *
   * A false can, rarely, hide our own success: if a request that created the object is retried
   * after its response was lost, the retry finds the object. Callers that must know write a
   * unique token and read it back.
   */
  createExclusive(key: string, data: Uint8Array | string, options?: WriteOptions): Promise<boolean>;
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

/** Reads an object, or undefined when it does not exist; every other failure is thrown. */
export async function readIfExists(storage: Storage, key: string): Promise<Uint8Array | undefined> {
  try {
    return await storage.read(key);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
