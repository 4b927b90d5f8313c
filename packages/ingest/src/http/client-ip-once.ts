import type { Context } from 'hono';

export interface ClientIpVariables {
  /** The request's client address once resolved (`ip` undefined: it has none). */
  clientIp?: { ip: string | undefined };
}

/**
 * The client address resolved at most once per request, kept on its context: the per-client limit and the
 * stored `context.server.ip` both read it (the Node entry's reads the socket and X-Forwarded-For each time).
 */
export function clientIpOnce(resolve: (c: Context) => string | undefined): (c: Context) => string | undefined {
  return (c) => {
    const known = (c.var as ClientIpVariables).clientIp;
    if (known !== undefined) return known.ip;
    const ip = resolve(c);
    c.set('clientIp', { ip });
    return ip;
  };
}
