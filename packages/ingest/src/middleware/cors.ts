import type { MiddlewareHandler } from 'hono';
import { isOriginForm } from '../http/origin-form';

export interface CorsOptions {
  /** Whether some app accepts this browser origin (the per-key check comes on the real request). */
  allowed: (origin: string) => boolean;
  maxAgeSec: number;
}

const ALLOW_METHODS = 'POST,OPTIONS';
// X-Retry-Count: analytics.js (analytics-next) sends it on every resend.
const ALLOW_HEADERS = 'Authorization,Content-Type,Content-Encoding,X-Retry-Count';

/**
 * CORS for /v1/*: preflights answered (204, cached by the browser for `maxAgeSec`), the origin
 * echoed when some app allows it and it has a browser's Origin form (`isOriginForm`; whether the request is
 * accepted is auth's, unchanged), `Retry-After` readable by scripts, `Vary: Origin` always.
 * Every header is set before the handler runs: Hono's cors middleware appends `Vary` to the finished
 * response, which turns @hono/node-server's cached response into a streamed one (measured: the
 * ingest's largest per-request cost over HTTP).
 */
export function cors(options: CorsOptions): MiddlewareHandler {
  return async function corsMiddleware(c, next) {
    const origin = c.req.header('origin');
    if (origin !== undefined && isOriginForm(origin) && options.allowed(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Expose-Headers', 'Retry-After');
    }
    c.header('Vary', 'Origin');
    if (c.req.method === 'OPTIONS') {
      c.header('Vary', 'Origin, Access-Control-Request-Headers');
      c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
      c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
      c.header('Access-Control-Max-Age', String(options.maxAgeSec));
      return c.body(null, 204);
    }
    await next();
  };
}
