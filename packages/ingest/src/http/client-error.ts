import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { errorBody } from '../errors';

/**
 * Node's HTTP parser refused the bytes before the app saw a request (bad syntax, a Content-Length
 * that does not match what follows, headers too large, too slow): answer the way the app does — a
 * code, a reason and a request id — instead of Node's bare "400 Bad Request", then close.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // Node's own rule: no answer when the socket is gone or an answer on it has already begun.
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) return void socket.destroy();
  const [status, text] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : [400, 'Bad Request'];
  const id = randomUUID();
  const body = JSON.stringify(errorBody('malformed_request', `the HTTP request could not be parsed (${error.code ?? 'parse error'})`, undefined, id));
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`);
}
