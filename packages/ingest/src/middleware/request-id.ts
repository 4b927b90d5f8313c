import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';

export interface RequestIdVariables {
  /** The ingest's own id: context.server.request_id, the logs, the answer's body and X-Request-Id header. */
  requestId: string;
  /** An incoming X-Request-Id (a proxy's), for the access log only. */
  upstreamRequestId?: string;
}

/** Hono's requestId() charset and length, so a logged value stays one plain token. */
const UPSTREAM_ID = /^[\w\-=]{1,255}$/;

/**
 * Gives every request an id of the ingest's own. An incoming X-Request-Id is never adopted (Hono's
 * requestId() would: any client could then choose the stored request id and the bad-row partition
 * key); a plain one is kept as `upstreamRequestId` so a proxy's trace can still be followed in the logs.
 * `onId`: the runtime learns each request's id (the Node entry logs it beside its own 408s).
 */
export function requestId(onId?: (c: Context, id: string) => void): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async function requestIdMiddleware(c, next) {
    const id = randomUUID();
    c.set('requestId', id);
    onId?.(c, id);
    const upstream = c.req.header('x-request-id');
    if (upstream !== undefined && UPSTREAM_ID.test(upstream)) c.set('upstreamRequestId', upstream);
    c.header('X-Request-Id', id);
    await next();
  };
}
