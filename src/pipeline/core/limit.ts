/**
 * Bounded concurrency for storage calls: a window of many small objects read one by one costs a
 * round trip each on GCS, all at once would open hundreds of sockets.
 */

/** How many storage calls a step keeps in flight when it reads or lists many objects. */
export const STORAGE_CALLS_IN_FLIGHT = 16;

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results in item order. Calls
 * start in item order (the n-th call is the n-th item's, whatever finishes first), and none starts
 * after one has failed: the first failure rejects, once the calls in flight have settled.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failure;
  return out;
}
