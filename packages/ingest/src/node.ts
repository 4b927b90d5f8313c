import { serve, type HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { fatalErrorRecord } from './fatal-error';
import { boundBody, type BodyTimeout } from './http/body-timeouts';
import { adminFetch } from './http/admin-fetch';
import { answerClientError } from './http/client-error';
import { capConnections } from './http/connection-cap';
import { trackOpenConnections } from './http/open-connections';
import { nodeClientIp } from './http/node-client-ip';
import { requestTimeouts } from './http/request-timeouts';
import { throttledCount } from './http/throttled-count';
import { createKinesisClient } from './kinesis/client';
import { createKinesisWriter } from './kinesis/kinesis-writer';
import { readOpenFileLimit } from './open-file-limit';

/** At most one log line per this long about refused connections (a flood of them must not flood the log). */
const REFUSED_LOG_INTERVAL_MS = 10_000;

/**
 * How long before the stop deadline connections that hold no received request are cut: 2 s (a write
 * to Kinesis takes far less; what follows the cut is the server's close, the writer's drain and the
 * exit), or half the deadline when that is shorter, so a short deadline still leaves the cut time to
 * end those connections first and the requests time to finish after it.
 */
function cutBeforeDeadlineMs(stopDeadlineMs: number): number {
  return Math.min(2_000, Math.floor(stopDeadlineMs / 2));
}

/** What a 408 of the body bounds tells the client: it went silent, or it sent too little. */
function bodyTimeoutMessage(why: BodyTimeout, idleMs: number, minBytesPerSecond: number): string {
  if (why.kind === 'idle') return `the request body sent no byte for ${idleMs} ms`;
  return `the request body arrived too slowly: ${why.receivedBytes} bytes in ${why.elapsedMs} ms, under the minimum of ${minBytesPerSecond} bytes/s after the first ${idleMs} ms`;
}

/** Node entry: config from the environment, the app on a port, graceful shutdown. */
function main(): void {
  const log = (record: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'ingest', ...record })}\n`);
  };
  let config;
  try {
    config = loadConfig(process.env, readOpenFileLimit());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ingest: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const stopDeadlineMs = config.stopDeadlineMs;
  const client = createKinesisClient(config.kinesis);
  const writer = createKinesisWriter(client, config.writer);
  // Set once the server exists (below); the app asks only while serving a request, after that.
  let answered408: (req: IncomingMessage) => boolean = () => false;
  const answeredByRuntime = (c: Context): boolean => answered408((c.env as HttpBindings).incoming);
  // The app's id of each request, so a 408 of ours to a request it was reading is logged with both ids.
  const appRequestIds = new WeakMap<IncomingMessage, string>();
  const onRequestId = (c: Context, id: string): void => void appRequestIds.set((c.env as HttpBindings).incoming, id);
  const app = createApp({ writer, options: config, log, clientIp: nodeClientIp(config.trustedProxies), answeredByRuntime, onRequestId });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host, serverOptions: requestTimeouts(config.requestTimeoutMs) }, (info: AddressInfo) => {
    log({ level: 'info', msg: 'listening', url: `http://${info.address}:${info.port}`, stream: config.streamName, max_connections: config.maxConnections });
  });

  // Probes and scrapes on a listener of their own, outside the connection cap (config.adminPort).
  if (config.adminPort !== undefined) {
    serve({ fetch: adminFetch(app.fetch), port: config.adminPort, hostname: config.host }, (info: AddressInfo) => {
      log({ level: 'info', msg: 'admin listening', url: `http://${info.address}:${info.port}`, paths: '/healthz /readyz /metrics' });
    });
  }
  const report = { count: app.countRejection, log, appRequestIdOf: (req: IncomingMessage) => appRequestIds.get(req) };
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => answerClientError(error, socket, report));
  // A body with no byte for INGEST_REQUEST_TIMEOUT_MS, or slower than INGEST_MIN_BODY_BYTES_PER_SECOND after
  // it, gets the answer Node's own request timeout gets.
  const bounds = { idleMs: config.requestTimeoutMs, minBytesPerSecond: config.minBodyBytesPerSecond };
  answered408 = boundBody(server as Server, bounds, (socket, res, why) => {
    // Already answered (e.g. 401 before the body was read): nothing left to tell this client.
    if (res.headersSent) return void socket.destroy();
    const error = Object.assign(new Error(why.kind === 'idle' ? 'request body idle' : 'request body too slow'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    answerClientError(error, socket, report, bodyTimeoutMessage(why, bounds.idleMs, bounds.minBytesPerSecond));
  });
  const open = trackOpenConnections(server as Server);
  if (config.maxConnections > 0) {
    const maxConnections = config.maxConnections;
    const logRefused = throttledCount(REFUSED_LOG_INTERVAL_MS, (refused) =>
      log({ level: 'warn', msg: 'refused connections over INGEST_MAX_CONNECTIONS (answered 503 too_many_connections)', refused, max_connections: maxConnections, interval_ms: REFUSED_LOG_INTERVAL_MS }),
    );
    // Last: it stands between the server and every `connection` listener above.
    capConnections(server as Server, maxConnections, () => {
      app.countRejection?.('too_many_connections');
      logRefused();
    });
  }

  let closing = false;
  let exitCode = 0;
  /** Exit code 1 after a fatal error, also one during a stop a signal began: the requests in flight are still answered, then the platform restarts us. */
  const shutdown = (signal: string, code = 0): void => {
    exitCode = Math.max(exitCode, code);
    if (closing) return;
    closing = true;
    log({ level: 'info', msg: 'shutting down', signal });
    // Stop accepting; in-flight requests finish their Kinesis writes; then the writer drains and we exit.
    server.close(() => {
      void writer.close?.().then(() => {
        client.destroy();
        log({ level: 'info', msg: 'stopped' });
        process.exit(exitCode);
      });
    });
    // Keep-alive connections that go idle after their last answer would hold close() open.
    if ('closeIdleConnections' in server) setInterval(() => server.closeIdleConnections(), 50).unref();
    // A client trickling a body (or one that stalled) would hold close() open until the deadline: cut
    // such connections, and idle ones, shortly before it. Nothing of theirs was accepted, so the
    // client resends; requests already received keep their connection to finish their Kinesis write.
    setTimeout(() => {
      const cut = open.cutWaiting();
      if (cut.connections > 0) log({ level: 'warn', msg: 'closed connections still open near the stop deadline', ...cut, stop_deadline_ms: stopDeadlineMs });
    }, stopDeadlineMs - cutBeforeDeadlineMs(stopDeadlineMs)).unref();
    setTimeout(() => {
      log({ level: 'error', msg: 'stop deadline passed; exiting 1 with requests or writes unfinished (their clients get a reset and resend)', stop_deadline_ms: stopDeadlineMs, ...open.counts() });
      process.exit(1);
    }, stopDeadlineMs).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A bug must not drop the requests in flight (Node's default is to exit at once: every open connection
  // reset): log it, then the graceful path, exit 1. Later errors during that stop are logged too.
  for (const kind of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(kind, (error: unknown) => {
      log(fatalErrorRecord(kind, error));
      shutdown(kind, 1);
    });
  }
}

main();
