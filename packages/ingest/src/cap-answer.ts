import type { Issue } from '@eventline/schemas';
import type { BatchResponse, EventStatus } from './routes/ingest-events';
import { utf8Prefix } from './utf8-prefix';

/**
 * At most this many bytes of issues (as JSON) in one answer, all its events together. Each event's
 * issues are bounded (cap-issues: 64 KiB), the answer was not: 500 events of 20 unknown 780-character
 * fields (a 48 KB gzip body) gave an 8.9 MB answer, over Lambda's 6 MB response limit, so the
 * invocation failed after the bad rows were written and every resend wrote them again.
 */
export const ANSWER_ISSUES_MAX_BYTES = 1024 * 1024;
/** Past that budget, each rejected event keeps its code and its first issue, path and message cut at this many bytes of UTF-8. */
export const SHORT_ISSUE_TEXT_MAX_BYTES = 200;

/**
 * The answer with its issues bounded: events keep their issues, in order, while the total stays
 * within ANSWER_ISSUES_MAX_BYTES; from the first event that would pass it, each rejected event keeps
 * only its first issue, shortened, and `issues_truncated: true`, and so does the answer. So an answer
 * stays under ~1.3 MiB (500 events). Bad rows are not touched: they keep each event's own issues.
 */
export function capAnswerIssues(response: BatchResponse): BatchResponse {
  let bytes = 0;
  let over = false;
  const results = response.results.map((result): EventStatus => {
    if (result.status !== 'rejected') return result;
    if (!over) {
      bytes += Buffer.byteLength(JSON.stringify(result.issues), 'utf8');
      over = bytes > ANSWER_ISSUES_MAX_BYTES;
      if (!over) return result;
    }
    const first = result.issues[0];
    return { ...result, issues: first ? [shortIssue(first)] : [], issues_truncated: true };
  });
  return over ? { ...response, results, issues_truncated: true } : response;
}

function shortIssue(issue: Issue): Issue {
  return { ...issue, path: utf8Prefix(issue.path, SHORT_ISSUE_TEXT_MAX_BYTES).text, message: utf8Prefix(issue.message, SHORT_ISSUE_TEXT_MAX_BYTES).text };
}
