export interface TokenBucketOptions {
  /** Tokens added per second (sustained requests per second). */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
  /** Buckets kept at most: past it the least recently used goes (it refills to full meanwhile anyway). */
  maxKeys?: number;
  now?: () => number;
}

/**
 * A token bucket per key. `take(key)` spends one token and returns undefined, or, when the bucket is
 * empty, the whole seconds until one is back (for Retry-After) and spends nothing.
 */
export function tokenBuckets(options: TokenBucketOptions): (key: string) => number | undefined {
  const { perSecond, burst, maxKeys = Number.POSITIVE_INFINITY } = options;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (key) => {
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: burst, at: t };
    bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
    bucket.at = t;
    if (maxKeys === Number.POSITIVE_INFINITY) buckets.set(key, bucket);
    else {
      // Re-inserted, so the Map's order is least recently used first.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
    }
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    bucket.tokens -= 1;
    return undefined;
  };
}
