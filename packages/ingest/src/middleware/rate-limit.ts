import type { MiddlewareHandler } from 'hono';
import { RequestRejectedError } from '../errors';
import type { AuthVariables } from './auth';

export interface RateLimitOptions {
  /** Sustained requests per second per write key; 0 turns the limit off. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
  now?: () => number;
}

/** A token bucket per write key (by its hash): 429 with Retry-After when the bucket is empty. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async function rateLimitMiddleware(c, next) {
    if (options.perSecond > 0) {
      const key = c.get('writeKeyHash');
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: options.burst, at: t };
      bucket.tokens = Math.min(options.burst, bucket.tokens + ((t - bucket.at) / 1000) * options.perSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) {
        const waitSec = Math.max(1, Math.ceil((1 - bucket.tokens) / options.perSecond));
        const message = `this write key is over ${options.perSecond} requests/s; retry after ${waitSec} s`;
        throw new RequestRejectedError(429, 'rate_limited', message, undefined, waitSec);
      }
      bucket.tokens -= 1;
    }
    await next();
  };
}
