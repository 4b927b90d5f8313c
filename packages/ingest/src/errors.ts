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

export type ClientErrorStatus = 400 | 401 | 403 | 413 | 415 | 429;

/** A request the client must change before sending again: answered with its status and code. */
export class RequestRejectedError extends Error {
  constructor(
    readonly status: ClientErrorStatus,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
    /** For 429: seconds until the client may send again (the Retry-After header). */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'RequestRejectedError';
  }
}
