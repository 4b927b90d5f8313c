import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Bound how long a request's body may go without a byte: a client that stops sending mid-body for
 * `idleMs` is handed to `onIdle` (the Node entry answers 408 `request_timeout`); one that keeps
 * sending, however slowly, is not (a slow mobile uplink is not an attack, and Segment's Android and
 * Kotlin clients delete a batch answered with any 4xx but 429).
 *
 * Node's socket timeout is the mechanism: the HTTP server refreshes it on every chunk it parses and
 * emits `timeout` on the request only while the request is incomplete. Once the body is in, the time
 * to answer (the Kinesis write) is the server's: the response's `timeout` listener keeps Node from
 * destroying the socket then. After the answer Node replaces this timeout with `keepAliveTimeout`, and
 * clears it before the next request on the connection, which sets it again here.
 */
export function boundBodyIdle(server: Server, idleMs: number, onIdle: (socket: Socket, res: ServerResponse) => void): (req: IncomingMessage) => boolean {
  /** Requests answered 408: the rest of a body that still arrives (within the answer's linger) must not be taken. */
  const idled = new WeakSet<IncomingMessage>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.complete) return;
    req.socket.setTimeout(idleMs);
    req.once('timeout', () => {
      // Handled once: the answer's linger must not be cut short by a second idle period.
      req.socket.setTimeout(0);
      idled.add(req);
      onIdle(req.socket, res);
    });
    res.on('timeout', () => {});
  });
  return (req) => idled.has(req);
}
