import type { Issue } from '@eventline/schemas';
import type { BatchResponse, EventStatus } from './routes/ingest-events';
import { ANSWER_MAX_BYTES, answerBytesBound, carriedBytes } from './answer-bound';
import { utf8Prefix } from './utf8-prefix';

/** Past the budget for full issues, each rejected event keeps its first issue, path and message cut at this many bytes of UTF-8, while those fit. */
export const SHORT_ISSUE_TEXT_MAX_BYTES = 200;

/**
 * The answer within ANSWER_MAX_BYTES, every event's status and code kept: issues are what is cut. Events keep
 * their issues, in order, while the whole fits; from the first that would pass it, each rejected event keeps
 * only its first issue, shortened, while that fits, and none after that; each cut one says
 * `issues_truncated: true`, and so does the answer. Every event's status fits whatever the issues are: the
 * configuration refuses batch sizes whose statuses alone could pass the bound (answer-bound.ts `answerBoundProblems`).
 * Bad rows are not touched: they keep each event's own issues.
 */
export function capAnswer(response: BatchResponse): BatchResponse {
  // Only issues can be cut, and only rejected events have them: an answer without any is as small as it gets.
  if (response.rejected === 0) return response;
  // Most answers are far within the bound: a cheap upper bound shows it without writing out every status.
  if (answerBytesBound(response) <= ANSWER_MAX_BYTES) return response;
  return capMeasured(response);
}

/** capAnswer measuring every status as carried (exported for the test that the cheap bound changes no answer). */
export function capMeasured(response: BatchResponse): BatchResponse {
  if (response.rejected === 0) return response;
  const entries = response.results.map(entryBytes);
  const full = carriedBytes(JSON.stringify({ ...response, results: [] })) + sum(entries) + commas(entries.length);
  if (full <= ANSWER_MAX_BYTES) return response;
  // From here every rejected event is counted in its compact form, which it can never go below; what is left pays for issues.
  const compact = response.results.map((result) => (result.status === 'rejected' ? compactOf(result) : result));
  const compactSizes = compact.map((result, i) => (result === response.results[i] ? entries[i]! : entryBytes(result)));
  let left = ANSWER_MAX_BYTES - carriedBytes(JSON.stringify({ ...response, results: [], issues_truncated: true })) - sum(compactSizes) - commas(compact.length);
  let tier: 'full' | 'short' | 'none' = 'full';
  const results = response.results.map((result, i): EventStatus => {
    if (result.status !== 'rejected') return result;
    if (tier === 'full') {
      const extra = entries[i]! - compactSizes[i]!;
      if (extra <= left) {
        left -= extra;
        return result;
      }
      tier = 'short';
    }
    if (tier === 'short') {
      const short = shortOf(result);
      const extra = entryBytes(short) - compactSizes[i]!;
      if (extra <= left) {
        left -= extra;
        return short;
      }
      tier = 'none';
    }
    return compact[i]!;
  });
  return { ...response, results, issues_truncated: true };
}

type Rejected = Extract<EventStatus, { status: 'rejected' }>;

/** A rejected event's status and code, with no issues. */
function compactOf(result: Rejected): Rejected {
  return { ...result, issues: [], issues_truncated: true };
}

function shortOf(result: Rejected): Rejected {
  const first = result.issues[0];
  return { ...result, issues: first ? [shortIssue(first)] : [], issues_truncated: true };
}

function shortIssue(issue: Issue): Issue {
  return { ...issue, path: utf8Prefix(issue.path, SHORT_ISSUE_TEXT_MAX_BYTES).text, message: utf8Prefix(issue.message, SHORT_ISSUE_TEXT_MAX_BYTES).text };
}

const entryBytes = (result: EventStatus): number => carriedBytes(JSON.stringify(result));
const sum = (sizes: number[]): number => sizes.reduce((a, b) => a + b, 0);
const commas = (count: number): number => Math.max(0, count - 1);
