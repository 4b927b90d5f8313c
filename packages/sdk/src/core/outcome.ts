import type { Issue } from '@eventline/schemas';
import type { TransportResponse } from './types';

export interface EventResult {
  status: 'accepted' | 'rejected' | 'retry';
  code?: string;
  issues?: Issue[];
}

/** What to do with a sent batch, decided from the HTTP response alone. */
export type Outcome =
  | { kind: 'delivered'; status: number; requestId?: string; results: Map<string, EventResult> }
  | { kind: 'keep'; status?: number; retryAfterMs?: number; message: string; error?: unknown }
  | { kind: 'drop'; status: number; message: string };

/**
 * 2xx: per-event results (an event the server did not mention counts as accepted: the request was).
 * Network error, 408, 425, 429, 5xx (and anything else unexpected): keep and retry.
 * Any other 4xx: the batch can never succeed as sent; drop it.
 */
export function classify(response: TransportResponse): Outcome {
  const { status } = response;
  if (status >= 200 && status < 300) {
    const body = response.body;
    const requestId = isRecord(body) && typeof body.request_id === 'string' ? body.request_id : undefined;
    return { kind: 'delivered', status, requestId, results: readResults(body) };
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429) {
    return { kind: 'drop', status, message: `HTTP ${status}${reason(response.body)}` };
  }
  return {
    kind: 'keep',
    status,
    retryAfterMs: response.retryAfterMs,
    message: `HTTP ${status}${reason(response.body)}`,
  };
}

function readResults(body: unknown): Map<string, EventResult> {
  const results = new Map<string, EventResult>();
  if (!isRecord(body) || !Array.isArray(body.results)) return results;
  for (const item of body.results as unknown[]) {
    if (!isRecord(item) || typeof item.event_id !== 'string') continue;
    const status = item.status;
    if (status !== 'accepted' && status !== 'rejected' && status !== 'retry') continue;
    results.set(item.event_id, {
      status,
      code: typeof item.code === 'string' ? item.code : undefined,
      issues: Array.isArray(item.issues) ? (item.issues as Issue[]) : undefined,
    });
  }
  return results;
}

/** A short reason from an error body such as `{ "error": "...", "message": "..." }`. */
function reason(body: unknown): string {
  if (!isRecord(body)) return '';
  // The ingest answers `{ error: { code, message } }`; accept flat `{ error, message }` too.
  const source = isRecord(body.error) ? body.error : body;
  const text = [source.code ?? source.error, source.message].filter((v) => typeof v === 'string').join(': ');
  return text === '' ? '' : ` (${text})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
