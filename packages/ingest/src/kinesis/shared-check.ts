/**
 * One check per key at a time, its result (success or failure) kept for `ttlMs` after it ends:
 * concurrent and repeated askers share it. For /readyz, whose DescribeStreamSummary call AWS limits to
 * 20 per second per account, on an unauthenticated route.
 */
export function sharedCheck(check: (key: string) => Promise<void>, ttlMs: number, now: () => number = Date.now): (key: string) => Promise<void> {
  const entries = new Map<string, { result: Promise<void>; endedAt?: number }>();
  return (key) => {
    const hit = entries.get(key);
    if (hit && (hit.endedAt === undefined || now() - hit.endedAt < ttlMs)) return hit.result;
    const entry: { result: Promise<void>; endedAt?: number } = { result: Promise.resolve() };
    entry.result = check(key).finally(() => {
      entry.endedAt = now();
    });
    entries.set(key, entry);
    return entry.result;
  };
}
