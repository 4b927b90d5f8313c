import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../errors';
import type { WriteKeyEntry } from '../write-keys';

export type AuthVariables = { appId: string };

/**
 * Write key as the Basic-auth username (Segment's convention), password empty.
 * Unknown or missing keys get 401; nothing is read or written before this passes.
 */
export function writeKeyAuth(lookup: (key: string) => WriteKeyEntry | undefined): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function writeKeyAuthMiddleware(c, next) {
    const key = basicUsername(c.req.header('authorization'));
    if (key === undefined) {
      return c.json(errorBody('missing_write_key', 'send the write key as the Basic auth username'), 401);
    }
    const entry = lookup(key);
    if (!entry) return c.json(errorBody('invalid_write_key', 'unknown write key'), 401);
    c.set('appId', entry.appId);
    await next();
  };
}

function basicUsername(header: string | undefined): string | undefined {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  return user === '' ? undefined : user;
}
