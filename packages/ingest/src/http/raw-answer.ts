import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { errorBody, type RequestRejectionCode } from '../errors';

/**
 * How long a socket that was answered and ended stays open for the client to read the answer. `end()`
 * only half-closes: a client that never closes its side would keep the connection (a descriptor) for
 * good. Destroying at once could reset the connection before a slow client read the answer (unread
 * request bytes make the close a reset), hence the linger.
 */
export const ANSWER_LINGER_MS = 2_000;

/**
 * Answer a socket the app never saw a request on (the Node entry's own answers), the way the app
 * answers — a JSON error with a code and a request id, `X-Content-Type-Options: nosniff` — then
 * `Connection: close`: the socket is ended and destroyed after `lingerMs`. Returns the request id.
 */
export function answerRaw(socket: Duplex, answer: { status: number; text: string; code: RequestRejectionCode; message: string; headers?: Record<string, string> }, lingerMs = ANSWER_LINGER_MS): string {
  const id = randomUUID();
  const body = JSON.stringify(errorBody(answer.code, answer.message, undefined, id));
  const extra = Object.entries(answer.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${answer.status} ${answer.text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${id}\r\nX-Content-Type-Options: nosniff\r\n${extra}Connection: close\r\n\r\n${body}`);
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  return id;
}
