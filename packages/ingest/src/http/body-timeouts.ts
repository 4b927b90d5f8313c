import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { watchBodyRate, type TooSlow } from './body-min-rate';

export interface BodyBounds {
  /** How long a body may go without a byte (INGEST_REQUEST_TIMEOUT_MS). */
  idleMs: number;
  /** The least a body must average after its first `idleMs` (INGEST_MIN_BODY_BYTES_PER_SECOND); 0: no minimum. */
  minBytesPerSecond: number;
}

/** Why a body was cut: no byte for the idle bound, or fewer bytes than the minimum rate asks. */
export type BodyTimeout = { kind: 'idle' } | ({ kind: 'too_slow' } & TooSlow);

/**
 * Bound how long a request's body may take. A client that stops sending mid-body for `idleMs` is
 * handed to `onTimeout` (the Node entry answers 408 `request_timeout`); so is one that keeps sending
 * but less than `minBytesPerSecond` on average, once its first `idleMs` are over (`watchBodyRate`).
 * One that keeps sending at a real link's pace, however slow, is not (a slow mobile uplink is not an
 * attack, and Segment's Android and Kotlin clients delete a batch answered with any 4xx but 429).
 *
 * Node's socket timeout is the idle mechanism: the HTTP server refreshes it on every chunk it parses
 * and emits `timeout` on the request only while the request is incomplete. Once the body is in, the
 * time to answer (the Kinesis write) is the server's: the response's `timeout` listener keeps Node from
 * destroying the socket then. After the answer Node replaces this timeout with `keepAliveTimeout`, and
 * clears it before the next request on the connection, which sets it again here.
 */
export function boundBody(server: Server, bounds: BodyBounds, onTimeout: (socket: Socket, res: ServerResponse, why: BodyTimeout) => void): (req: IncomingMessage) => boolean {
  /** Requests answered 408: the rest of a body that still arrives (within the answer's linger) must not be taken. */
  const cut = new WeakSet<IncomingMessage>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.complete) return;
    let stopRate = (): void => undefined;
    // Handled once: the answer's linger must not be cut short by a second timeout.
    const timedOut = (why: BodyTimeout): void => {
      if (cut.has(req)) return;
      req.socket.setTimeout(0);
      stopRate();
      cut.add(req);
      onTimeout(req.socket, res, why);
    };
    req.socket.setTimeout(bounds.idleMs);
    req.once('timeout', () => timedOut({ kind: 'idle' }));
    res.on('timeout', () => {});
    if (bounds.minBytesPerSecond > 0) {
      stopRate = watchBodyRate(req, { graceMs: bounds.idleMs, bytesPerSecond: bounds.minBytesPerSecond }, (slow) => timedOut({ kind: 'too_slow', ...slow }));
      res.once('close', stopRate);
    }
  });
  return (req) => cut.has(req);
}
