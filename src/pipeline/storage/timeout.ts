/** Default bound of one storage call (STORAGE_TIMEOUT_SECONDS). */
export const DEFAULT_STORAGE_TIMEOUT_MS = 120_000;

/** Thrown by {@link withTimeout} when the timer wins; the storage backend turns it into its message. */
export class StorageTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${formatSeconds(timeoutMs)}`);
    this.name = "StorageTimeoutError";
  }
}

/**
 * Settles like `work`, or rejects with {@link StorageTimeoutError} once `timeoutMs` pass first.
 * A client that accepts a connection and never answers would otherwise leave the caller waiting
 * for ever; the client's own per-request timeouts do not cover every call (its single-request
 * uploads have none), and retries multiply them. The loser's later rejection is swallowed, so it
 * never surfaces as an unhandled rejection.
 */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StorageTimeoutError(timeoutMs)), timeoutMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** `0.5 s`, `120 s`: a duration for messages. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}
