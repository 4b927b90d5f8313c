import type { Context, MiddlewareHandler } from 'hono';
import { RequestRejectedError } from '../errors';
import { clientNetwork } from '../http/client-ip';
import type { AuthVariables } from './auth';
import { tokenBuckets } from './token-buckets';

export interface RateLimitOptions {
  /** Sustained requests per second per write key; 0 turns the limit off. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
  now?: () => number;
}

/** A token bucket per write key (by its hash): 429 with Retry-After when the bucket is empty. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const take = tokenBuckets(options);
  return async function rateLimitMiddleware(c, next) {
    if (options.perSecond > 0) {
      const waitSec = take(c.get('writeKeyHash'));
      if (waitSec !== undefined) throw new RequestRejectedError(429, 'rate_limited', `this write key is over ${options.perSecond} requests/s; retry after ${waitSec} s`, undefined, waitSec);
    }
    await next();
  };
}

/** Client addresses with a bucket at most (~160 B each, measured): a spray of addresses costs memory only up to this (16 MB). */
export const MAX_CLIENT_BUCKETS = 100_000;

export interface ClientRateLimitOptions extends RateLimitOptions {
  /** The peer address as the runtime sees it (after trusted proxies); undefined: not limited. */
  clientIp: (c: Context) => string | undefined;
}

/**
 * A token bucket per client address, ahead of authentication and of reading the body: a client spending
 * a public write key's limit, or sending costly bodies, is held to its own share. IPv6 clients are
 * counted by their /64 (one subscriber's network: a host picks addresses in it at will). 429 with
 * Retry-After, code `client_rate_limited`.
 */
export function clientRateLimit(options: ClientRateLimitOptions): MiddlewareHandler {
  const take = tokenBuckets({ ...options, maxKeys: MAX_CLIENT_BUCKETS });
  return async function clientRateLimitMiddleware(c, next) {
    const ip = options.perSecond > 0 ? options.clientIp(c) : undefined;
    if (ip !== undefined) {
      const waitSec = take(clientNetwork(ip));
      if (waitSec !== undefined) throw new RequestRejectedError(429, 'client_rate_limited', `this client address is over ${options.perSecond} requests/s; retry after ${waitSec} s`, undefined, waitSec);
    }
    await next();
  };
}
