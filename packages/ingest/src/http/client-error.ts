import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestRejectionCode } from '../errors';
import { answerRaw } from './raw-answer';

/** Where a parser-level refusal is counted and logged (the Node entry passes its metrics and log). */
export interface ClientErrorReport {
  /** `eventline_ingest_requests_rejected_total{code}`. */
  count?: (code: RequestRejectionCode) => void;
  log?: (record: Record<string, unknown>) => void;
  /** The app's id of a request it was reading when the socket was answered: logged with this answer's, to link the two lines. */
  appRequestIdOf?: (req: IncomingMessage) => string | undefined;
}

/** Node's parser errors by what they answer: headers too large, too slow, else malformed bytes. */
function refusalOf(errorCode: string | undefined): { status: number; text: string; code: RequestRejectionCode } {
  if (errorCode === 'HPE_HEADER_OVERFLOW') return { status: 431, text: 'Request Header Fields Too Large', code: 'headers_too_large' };
  if (errorCode === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, text: 'Request Timeout', code: 'request_timeout' };
  return { status: 400, text: 'Bad Request', code: 'malformed_request' };
}

/**
 * Node's HTTP parser refused the bytes before the app saw a request (bad syntax, a Content-Length
 * that does not match what follows, headers too large, too slow): answer the way the app does — a
 * code, a reason and a request id — instead of Node's bare "400 Bad Request", then close. Counted and
 * logged as the app's refusals are (`report`), without the peer's address. `message` replaces the
 * generic one (the Node entry's own 408s say what was too slow).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex, report: ClientErrorReport = {}, message?: string): void {
  // Node's own rule: no answer when the socket is gone or an answer on it has already begun.
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean; req?: IncomingMessage } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) return void socket.destroy();
  const { status, text, code } = refusalOf(error.code);
  const id = answerRaw(socket, { status, text, code, message: message ?? `the HTTP request could not be parsed (${error.code ?? 'parse error'})` });
  // A request timed out while the app is reading its body is counted by the app, once, with the code
  // its body read ends in (`incomplete_body`): not twice. Its line has the app's own request id, so the
  // one this answer gave the client is logged here, or a client quoting it could not be found.
  if (code === 'request_timeout' && pending) {
    const appRequestId = pending.req && report.appRequestIdOf?.(pending.req);
    report.log?.({ level: 'info', msg: 'request body cut', request_id: id, status, error_code: code, counted_as: 'incomplete_body', ...(appRequestId ? { app_request_id: appRequestId } : {}) });
    return;
  }
  report.count?.(code);
  // The access log's `request` line, less what no parsed request has (method, route, app).
  report.log?.({ level: 'info', msg: 'request', request_id: id, status, error_code: code, parse_error: error.code ?? 'parse error' });
}
