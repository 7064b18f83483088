/** How many model calls of one step are in flight at once (independent themes, documents, work packages). */
export const STEP_CALL_CONCURRENCY = 4;

/**
 * Runs `fn` over `items` with at most `limit` calls in flight and returns the results in input order, so a step's
 * files come out the same whatever order the answers arrive in. After a failure no new item starts; the calls
 * already in flight are awaited (a step never leaves work running behind its own error), then the first error is
 * thrown. Hand-written rather than p-limit: ordered results plus this failure rule is a dozen lines, no dependency.
 */
export async function mapBounded<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, limit = STEP_CALL_CONCURRENCY): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
  return results;
}
