import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { rejectedCodeOf } from '../http/rejection';

export type Log = (record: Record<string, unknown>) => void;

/**
 * One structured line per answered request that did not succeed (or per request with `all`):
 * request id (and a proxy's X-Request-Id as upstream_request_id), route, status, duration, app, and
 * for a request refused whole its `error_code` (the code of the answer's body).
 * Never the IP, the write key or the body.
 */
export function accessLog(log: Log, all = false): MiddlewareHandler {
  return async function accessLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    if (!all && status < 400) return;
    const vars = c.var as { requestId?: string; upstreamRequestId?: string; appId?: string };
    log({
      level: status >= 500 ? 'warn' : 'info',
      msg: 'request',
      request_id: vars.requestId,
      ...(vars.upstreamRequestId ? { upstream_request_id: vars.upstreamRequestId } : {}),
      method: c.req.method,
      route: routePath(c),
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ...(vars.appId ? { app_id: vars.appId } : {}),
      ...(rejectedCodeOf(c) ? { error_code: rejectedCodeOf(c) } : {}),
      ...(c.res.headers.get('retry-after') ? { retry_after: c.res.headers.get('retry-after') } : {}),
    });
  };
}
