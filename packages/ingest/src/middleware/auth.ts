import type { Context, MiddlewareHandler } from 'hono';
import { RequestRejectedError } from '../errors';
import type { OriginMatcher } from '../http/origins';
import { isGzip, type BodyCap, type ParsedBody } from '../http/read-body';
import type { WriteKeyEntry } from '../write-keys';

export type AuthVariables = { appId: string; writeKeyHash: string };

export interface WriteKeyAuthDeps {
  lookup: (key: string) => WriteKeyEntry | undefined;
  /** Browser origins allowed for an app. */
  originsFor: (appId: string) => OriginMatcher;
  /** The parsed body, read only when the key is not in the header or query. */
  readBody: (c: Context, beforeAuth?: BodyCap) => Promise<ParsedBody>;
  /** How far a gzip body whose key is inside it may inflate before the key is known (INGEST_MAX_BODY_BYTES). */
  maxBodyBytes: number;
}

/**
 * The write key, from (in order) the Basic-auth username (Segment's convention), the `writeKey`
 * query parameter (sendBeacon cannot set headers) or a `writeKey` body field (Segment clients; a gzip body
 * read for its key inflates at most as far as a plain body may be long). Missing or unknown → 401; a browser Origin the app does not allow → 403. Fail closed.
 */
export function writeKeyAuth(deps: WriteKeyAuthDeps): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function writeKeyAuthMiddleware(c, next) {
    const outside = basicUsername(c.req.header('authorization')) ?? nonEmpty(c.req.query('writeKey'));
    // A key inside the body is read only after inflating and parsing all of it: unbounded, an 18 KB gzip body of
    // 8 MiB of JSON cost ~0.5 s of the event loop from a client with no key at all. Before the key is known a gzip
    // body may inflate only as far as a plain body may be long, so it costs no more than a plain one could.
    // (analytics-kotlin sends gzip with its key only in the body, so refusing those outright is not an option.)
    const beforeAuth = outside === undefined && isGzip(c.req.header('content-encoding'))
      ? { maxDecompressedBytes: deps.maxBodyBytes, hint: 'send the write key as the Basic auth username or ?writeKey= for a larger body' }
      : undefined;
    const key = outside ?? bodyWriteKey((await deps.readBody(c, beforeAuth)).value);
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
