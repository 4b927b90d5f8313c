import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { errorFields, type Logger } from '../log';
import type { Readiness } from './readiness';

export interface MetricsServer {
  /** `http://host:port` (the port the OS picked when asked for 0). */
  url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness: Readiness;
  log: Logger;
}

/** GET /metrics (Prometheus text), /healthz (the process runs), /readyz (see Readiness). Resolves once listening. */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    route(o, request, response).catch((error: unknown) => {
      o.log('error', 'metrics request failed', { path: request.url, ...errorFields(error) });
      if (!response.headersSent) json(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // An unhandled 'error' would crash the processor; the endpoint is not worth that.
  server.on('error', (error) => o.log('error', 'metrics server error', errorFields(error)));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // close() drops idle keep-alive connections (Node 19+) but waits for requests in flight,
        // e.g. a scrape whose collect() hangs: those are cut off rather than holding up the exit.
        server.closeAllConnections();
      }),
  };
}

async function route(o: MetricsServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return json(response, 405, { error: 'method not allowed' });
  }
  if (path === '/metrics') {
    const text = await o.registry.metrics();
    response.writeHead(200, { 'content-type': o.registry.contentType });
    response.end(text);
    return;
  }
  if (path === '/healthz') return json(response, 200, { status: 'ok' });
  if (path === '/readyz') {
    const state = o.readiness.state();
    return state.ready ? json(response, 200, { status: 'ready' }) : json(response, 503, { status: 'not_ready', reasons: state.reasons });
  }
  json(response, 404, { error: 'not found', routes: ['/metrics', '/healthz', '/readyz'] });
}

function json(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
