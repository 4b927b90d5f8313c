import type { FuzzCase } from './cases';
import type { Answer } from './send';

interface ErrorAnswer {
  error?: { code?: unknown; message?: unknown; issues?: { path?: unknown; code?: unknown; message?: unknown }[] };
  request_id?: unknown;
}
interface BatchAnswer {
  accepted?: number;
  rejected?: number;
  retry?: number;
  results?: { status?: string; code?: unknown; issues?: { path?: unknown; code?: unknown }[]; issues_truncated?: unknown }[];
  issues_truncated?: unknown;
}

/** The error code of a 4xx answer, for the counts. */
export function codeOf(answer: Answer): string | undefined {
  const code = (answer.body as ErrorAnswer | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Why this answer is wrong for this case, or undefined when it is right. Right means: a status the
 * case allows (never a 5xx or a reset); a 4xx names a code, a message and the request id (field paths
 * where it lists issues; 429 a Retry-After); a 200 accounts for every event, each rejected one with
 * a code and a field path, and a valid case has all of its events accepted.
 */
export function judge(c: FuzzCase, a: Answer): string | undefined {
  if (a.status < 0) return `transport error ${a.error ?? ''}`;
  if (a.status >= 500) return `server error ${a.status}`;
  if (!c.expect.includes(a.status)) return `status ${a.status} (${codeOf(a) ?? 'no code'}), expected ${c.expect.join(' or ')}`;
  if (a.status === 0) return undefined;
  if (a.status >= 400) return judgeError(c, a);
  return judgeBatch(c, a.body as BatchAnswer);
}

function judgeError(c: FuzzCase, a: Answer): string | undefined {
  const body = a.body as ErrorAnswer | undefined;
  const code = codeOf(a);
  if (code === undefined || !/^[a-z_]+$/.test(code)) return `${a.status} without an error code`;
  if (typeof body?.error?.message !== 'string' || body.error.message.length < 5) return `${a.status} ${code} without a message`;
  if (typeof body.request_id !== 'string' || body.request_id !== a.headers['x-request-id']) return `${a.status} ${code} without its request id`;
  if (c.code !== undefined && code !== c.code) return `code ${code}, expected ${c.code}`;
  for (const issue of body.error.issues ?? []) if (typeof issue.path !== 'string' || typeof issue.code !== 'string') return `${code}: an issue without a path or code`;
  if (a.status === 429 && !a.headers['retry-after']) return '429 without Retry-After';
  return undefined;
}

function judgeBatch(c: FuzzCase, body: BatchAnswer): string | undefined {
  const results = body.results ?? [];
  if ((body.accepted ?? 0) + (body.rejected ?? 0) + (body.retry ?? 0) !== results.length || results.length === 0) return '200 whose counts do not add up';
  if ((body.retry ?? 0) > 0) return `${body.retry} events answered retry (the queue did not take them)`;
  // Past the answer's bound (cap-answer.ts) the last rejected events are listed with no issues, each saying so, as the answer does.
  const cutWhole = (r: (typeof results)[number]): boolean => r.issues?.length === 0 && r.issues_truncated === true && body.issues_truncated === true;
  for (const r of results) {
    if (r.status === 'rejected' && (typeof r.code !== 'string' || !(r.issues?.length || cutWhole(r)) || r.issues?.some((i) => typeof i.path !== 'string'))) return 'a rejected event without a code or field path';
  }
  if (c.acceptAll !== undefined && body.accepted !== c.acceptAll) return `valid: ${body.accepted}/${c.acceptAll} accepted`;
  if (c.rejectWith) {
    const { count, issueCode } = c.rejectWith;
    const rejected = results.filter((r) => r.status === 'rejected');
    if (rejected.length !== count || body.accepted !== results.length - count) return `${rejected.length} rejected and ${body.accepted} accepted, expected exactly ${count} rejected`;
    if (!rejected.every((r) => cutWhole(r) || r.issues?.some((i) => i.code === issueCode))) return `a rejected event without a ${issueCode} issue`;
  }
  return undefined;
}
