import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { answerRaw } from './raw-answer';

/**
 * Over-cap connections being answered at one time. Each holds a descriptor for up to its linger;
 * past this many (a flood, not a busy moment) the rest are closed at once, as `server.maxConnections`
 * would close them, so answering cannot itself hold descriptors without bound.
 */
export const MAX_REFUSALS_ANSWERING = 64;
/** Long enough for a client to read a 300-byte answer on any real link; short, as the process is full. */
const REFUSAL_LINGER_MS = 1_000;
/** The connections held are mostly slow clients that the body bounds take seconds to clear, not one. */
const REFUSAL_RETRY_AFTER_SEC = 5;

/**
 * Cap the server's open connections at `max`. A connection over the cap is never handed to the HTTP
 * server (nothing of it is parsed or reaches the app): it is answered 503 `too_many_connections` with
 * `Retry-After` and `Connection: close` straight on the socket, what it sends meanwhile is read and
 * dropped (so a client still writing its request gets to read the answer rather than a reset), and it
 * is closed after a short linger. Node's `server.maxConnections` would close it at once: the client sees a
 * reset, which SDKs take for a network error (some log it as one, each retries on its own schedule),
 * where a 503 with `Retry-After` is the answer they already handle for an overloaded ingest.
 * `onRefused` is called for every connection refused, answered or not. `lingerMs`: how long an answered
 * one is kept open (tests lengthen it to hold the answering slots).
 *
 * Works by standing between the server and its `connection` listeners: call it after every other
 * `connection` listener is on (Node's HTTP one is on from the start); a listener added later sees the
 * refused connections too.
 */
export function capConnections(server: Server, max: number, onRefused: () => void, lingerMs = REFUSAL_LINGER_MS): void {
  const listeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  let open = 0;
  let answering = 0;
  server.on('connection', (socket: Socket) => {
    if (open < max) {
      open += 1;
      socket.once('close', () => (open -= 1));
      for (const listener of listeners) listener.call(server, socket);
      return;
    }
    socket.on('error', () => undefined); // the client's reset, while it is answered: nothing to do
    if (answering >= MAX_REFUSALS_ANSWERING) {
      socket.destroy();
      return onRefused();
    }
    answering += 1;
    socket.once('close', () => (answering -= 1));
    socket.resume();
    answerRaw(socket, {
      status: 503,
      text: 'Service Unavailable',
      code: 'too_many_connections',
      // Not the cap itself: that would tell a client how many connections to hold (the log has it).
      message: 'the server holds as many connections as it takes; retry later',
      headers: { 'Retry-After': String(REFUSAL_RETRY_AFTER_SEC) },
    }, lingerMs);
    onRefused();
  });
}
