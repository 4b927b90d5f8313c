import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { errorResponse } from '../http/error-response';
import type { RecordWriter } from '../kinesis/record-writer';

export interface HealthDeps {
  writer: RecordWriter;
  streamName: string;
  /** Absent: no /metrics route (INGEST_METRICS=off). */
  registry?: Registry;
  log: (record: Record<string, unknown>) => void;
}

/** /healthz (the process is up), /readyz (Kinesis reachable and the breaker not open: half-open is ready), /metrics (with a registry). */
export function healthRoutes(deps: HealthDeps) {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', async (c) => {
    const health = deps.writer.health?.() ?? { ok: true };
    if (!health.ok) {
      // The error's text can name the AWS account and role (AccessDenied): for the log, not for a public route.
      deps.log({ level: 'warn', msg: 'not ready: Kinesis writes are failing (circuit open)', error: health.reason });
      const name = errorName(health.reason);
      return errorResponse(c, 503, 'queue_unavailable', `Kinesis writes are failing (circuit open)${name ? `: ${name}` : ''}`);
    }
    try {
      await deps.writer.ping(deps.streamName);
      return c.json({ status: 'ready' });
    } catch (error) {
      deps.log({ level: 'warn', msg: 'readiness check failed', error: String(error) });
      return errorResponse(c, 503, 'queue_unavailable', 'Kinesis stream is not reachable');
    }
  });
  const { registry } = deps;
  if (registry) routes.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  return routes;
}

/** `ResourceNotFoundException` of `ResourceNotFoundException: Stream … under account … not found.`: a bare identifier, or nothing. */
function errorName(reason: string | undefined): string | undefined {
  const name = reason?.split(':', 1)[0]?.trim();
  return name && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(name) ? name : undefined;
}
