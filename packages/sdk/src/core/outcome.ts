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

type Loose = Record<string, unknown> | undefined;

/**
 * 2xx: per-event results (an event the server did not mention counts as accepted: the request was).
 * Network error, 408, 425, 429, 5xx (and anything else unexpected): keep and retry.
 * Any other 4xx: the batch can never succeed as sent; drop it (413 is split by the caller).
 */
export function classify(response: TransportResponse): Outcome {
  const { status } = response;
  const body = (isRecord(response.body) ? response.body : undefined);
  if (status >= 200 && status < 300) {
    const requestId = typeof body?.request_id === 'string' ? body.request_id : undefined;
    return { kind: 'delivered', status, requestId, results: readResults(body?.results) };
  }
  // The ingest answers `{ error: { code, message } }`; accept flat `{ error, message }` too.
  const source = (isRecord(body?.error) ? body.error : body);
  const text = [source?.code ?? source?.error, source?.message].filter((v) => typeof v === 'string').join(': ');
  const message = `HTTP ${status}${text && ` (${text})`}`;
  if (status >= 400 && status < 500 && ![408, 425, 429].includes(status)) return { kind: 'drop', status, message };
  return { kind: 'keep', status, retryAfterMs: response.retryAfterMs, message };
}

function readResults(list: unknown): Map<string, EventResult> {
  const results = new Map<string, EventResult>();
  for (const item of Array.isArray(list) ? (list as Loose[]) : []) {
    const status = item?.status;
    if (typeof item?.event_id !== 'string' || (status !== 'accepted' && status !== 'rejected' && status !== 'retry')) continue;
    results.set(item.event_id, {
      status,
      code: typeof item.code === 'string' ? item.code : undefined,
      issues: Array.isArray(item.issues) ? (item.issues as Issue[]) : undefined,
    });
  }
  return results;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
