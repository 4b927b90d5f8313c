import type { Issue } from '@eventline/schemas';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { RequestRejectionCode } from '../errors';
import { errorResponse } from './error-response';

export interface RejectionVariables {
  /** Set when the whole request was refused before any event was looked at; read by the access log and /metrics. */
  rejectedCode?: RequestRejectionCode;
}

/**
 * Refuses a whole request: the error answer, and the code recorded on the context so the access log
 * line and `eventline_ingest_requests_rejected_total{code}` show it (its events are in no other count).
 */
export function rejectRequest(c: Context, status: ContentfulStatusCode, code: RequestRejectionCode, message: string, issues?: Issue[]): Response {
  c.set('rejectedCode', code);
  return errorResponse(c, status, code, message, issues);
}

/** The code `rejectRequest` recorded for this request, if any. */
export function rejectedCodeOf(c: Context): RequestRejectionCode | undefined {
  return (c.var as RejectionVariables).rejectedCode;
}
