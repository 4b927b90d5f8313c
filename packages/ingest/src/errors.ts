import type { Issue } from '@eventline/schemas';
import { capIssues } from './cap-issues';

/** Every rejection names a code, says why in words, and where it can, the field path. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: Issue[]; issues_truncated?: true };
  request_id?: string;
}

/** Issues are bounded as a rejected event's are (`capIssues`): they quote the body's keys, which may be huge. */
export function errorBody(code: string, message: string, issues?: Issue[], requestId?: string): ErrorBody {
  const capped = issues && capIssues(issues);
  const listed = capped ? { issues: capped.issues, ...(capped.cut ? { issues_truncated: true as const } : {}) } : {};
  return { error: { code, message, ...listed }, ...(requestId ? { request_id: requestId } : {}) };
}

/** The statuses a whole request is refused with: the client's to change, or (503) the server's to wait out. */
export type ClientErrorStatus = 400 | 401 | 403 | 413 | 415 | 429 | 503;

/**
 * Every code a whole request can be refused with, before any event is looked at (the label of
 * `eventline_ingest_requests_rejected_total`: a closed set, each present at 0 from the start).
 */
export const REQUEST_REJECTION_CODES = [
  'missing_write_key',
  'invalid_write_key',
  'origin_not_allowed',
  'rate_limited',
  'client_rate_limited',
  'body_too_large',
  'decompressed_too_large',
  'too_many_events',
  'too_many_values',
  'batch_context_too_large',
  // 503 + Retry-After: bodies being parsed at once already hold INGEST_MAX_PARSING_BYTES (http/parse-budget.ts).
  'parsing_busy',
  'incomplete_body',
  'unsupported_encoding',
  'invalid_encoding',
  // Lambda entry: one single-valued header sent with different values (http/lambda-event-shape.ts).
  'conflicting_header',
  'invalid_json',
  'too_deep',
  'invalid_batch',
  'invalid_message',
  'not_found',
  'internal_error',
  // Refused by Node's HTTP parser before the app saw a request (http/client-error.ts, the Node entry only).
  'malformed_request',
  'request_timeout',
  'headers_too_large',
  // Answered on a connection over INGEST_MAX_CONNECTIONS, before any byte of it was read (http/connection-cap.ts, the Node entry only).
  'too_many_connections',
] as const;
export type RequestRejectionCode = (typeof REQUEST_REJECTION_CODES)[number];

/** A request the client must change before sending again: answered with its status and code. */
export class RequestRejectedError extends Error {
  constructor(
    readonly status: ClientErrorStatus,
    readonly code: RequestRejectionCode,
    message: string,
    readonly issues?: Issue[],
    /** For 429 and 503: seconds until the client may send again (the Retry-After header). */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'RequestRejectedError';
  }
}

/**
 * A request the deployment, not the client, kept from being served: a gzip body handed to the Lambda
 * entry as text, its bytes changed on the way. Answered 415 `unsupported_encoding`: the SDK then sends
 * the same events as plain JSON at once (as for any 415 to gzip); a 5xx had it retry the same broken
 * body for days. Logged, throttled, with what to change in the deployment.
 */
export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
  readonly status = 415;
}
