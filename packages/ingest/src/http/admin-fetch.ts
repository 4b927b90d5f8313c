import { Hono } from 'hono';
import { nosniff } from '../middleware/nosniff';
import { requestId } from '../middleware/request-id';
import { errorResponse } from './error-response';

/** What the admin listener serves: probes and scrapes, none of the traffic routes. */
const ADMIN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/**
 * The app as the admin listener (INGEST_ADMIN_PORT) serves it: `GET /healthz`, `/readyz` and `/metrics`
 * answered by the app itself (same checks, same metrics), anything else 404 `not_found` without reaching
 * it. That listener is outside INGEST_MAX_CONNECTIONS, so a client holding every capped connection does
 * not fail the platform's liveness probe (which would restart the process and drop its requests).
 */
export function adminFetch(fetch: Fetch): Fetch {
  // As the app's error answers are: its own request id in the body and the header, nosniff.
  const notServed = new Hono().use(nosniff(), requestId());
  notServed.all('*', (c) => errorResponse(c, 404, 'not_found', `the admin port serves only GET ${[...ADMIN_PATHS].join(', ')}`));
  return (request, env) => {
    const path = new URL(request.url).pathname;
    return request.method === 'GET' && ADMIN_PATHS.has(path) ? fetch(request, env) : notServed.fetch(request, env);
  };
}
