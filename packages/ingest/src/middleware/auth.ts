import type { Context, MiddlewareHandler } from 'hono';
import { RequestRejectedError } from '../errors';
import type { OriginMatcher } from '../http/origins';
import { isGzip, type ParsedBody } from '../http/read-body';
import type { WriteKeyEntry } from '../write-keys';

export type AuthVariables = { appId: string; writeKeyHash: string };

export interface WriteKeyAuthDeps {
  lookup: (key: string) => WriteKeyEntry | undefined;
  /** Browser origins allowed for an app. */
  originsFor: (appId: string) => OriginMatcher;
  /** The parsed body, read only when the key is not in the header or query. */
  readBody: (c: Context) => Promise<ParsedBody>;
}

/**
 * The write key, from (in order) the Basic-auth username (Segment's convention), the `writeKey`
 * query parameter (sendBeacon cannot set headers) or a `writeKey` body field (Segment clients; not in
 * a gzip body, which is only inflated once a key is known). Missing or unknown → 401; a browser Origin the app does not allow → 403. Fail closed.
 */
export function writeKeyAuth(deps: WriteKeyAuthDeps): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function writeKeyAuthMiddleware(c, next) {
    const outside = basicUsername(c.req.header('authorization')) ?? nonEmpty(c.req.query('writeKey'));
    // Inflating and parsing come before a key in the body can be read: for gzip that was up to 8 MiB of JSON
    // (~0.5 s of the event loop) from an 18 KB request with no key at all. A gzip body needs its key outside.
    if (outside === undefined && isGzip(c.req.header('content-encoding'))) {
      throw new RequestRejectedError(401, 'missing_write_key', 'with a gzip body, send the write key as the Basic auth username or ?writeKey= (it is checked before the body is inflated)');
    }
    const key = outside ?? bodyWriteKey((await deps.readBody(c)).value);
    if (key === undefined) {
      throw new RequestRejectedError(401, 'missing_write_key', 'send the write key as the Basic auth username, ?writeKey= or a "writeKey" body field');
    }
    const entry = deps.lookup(key);
    if (!entry) throw new RequestRejectedError(401, 'invalid_write_key', 'unknown write key');
    const origin = c.req.header('origin');
    if (origin !== undefined && !deps.originsFor(entry.appId)(origin)) {
      throw new RequestRejectedError(403, 'origin_not_allowed', 'this write key does not accept requests from this origin');
    }
    c.set('appId', entry.appId);
    c.set('writeKeyHash', entry.hash);
    await next();
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function bodyWriteKey(body: unknown): string | undefined {
  const key = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).writeKey : undefined;
  return typeof key === 'string' ? nonEmpty(key) : undefined;
}

function basicUsername(header: string | undefined): string | undefined {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return nonEmpty(colon === -1 ? decoded : decoded.slice(0, colon));
}
