import { randomUUID } from 'node:crypto';
import { errorBody } from '../errors';

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
  return (request, env) => {
    const path = new URL(request.url).pathname;
    if (request.method === 'GET' && ADMIN_PATHS.has(path)) return fetch(request, env);
    // As the app's error answers are: a request id in the body and the header.
    const id = randomUUID();
    const body = errorBody('not_found', `the admin port serves only GET ${[...ADMIN_PATHS].join(', ')}`, undefined, id);
    return Response.json(body, { status: 404, headers: { 'X-Request-Id': id, 'X-Content-Type-Options': 'nosniff' } });
  };
}
