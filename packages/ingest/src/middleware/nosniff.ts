import type { MiddlewareHandler } from 'hono';

/**
 * `X-Content-Type-Options: nosniff` on every answer: a browser must take the JSON (error bodies echo
 * the request path and parts of the body) as JSON, never sniff it into HTML or script. Set before the
 * handler runs, as the CORS headers are, so it is part of every answer the app builds (errors and
 * preflights included) without touching the finished response. Not Hono's `secureHeaders`: it sets a
 * dozen headers by default (`Cross-Origin-Resource-Policy: same-origin` among them), each to be turned
 * off by name, and it sets them on the finished response (which turns @hono/node-server's cached
 * response into a streamed one, see cors.ts).
 */
export function nosniff(): MiddlewareHandler {
  return async function nosniffMiddleware(c, next) {
    c.header('X-Content-Type-Options', 'nosniff');
    await next();
  };
}
