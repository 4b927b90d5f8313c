import type { Issue } from '@eventline/schemas';
import { isObject } from './identity';
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

const STATUSES = ['accepted', 'rejected', 'retry'];

/**
 * 2xx: per-event results (an event the server did not mention counts as accepted: the request was).
 * Network error, 408, 425, 429, 5xx (and anything else unexpected): keep and retry.
 * Any other 4xx: the batch can never succeed as sent; drop it (413 is split by the caller).
 */
export function classify(response: TransportResponse): Outcome {
  const { status } = response;
  const body = (isObject(response.body) ? response.body : undefined);
  if (status >= 200 && status < 300) {
    const requestId = typeof body?.request_id === 'string' ? body.request_id : undefined;
    return { kind: 'delivered', status, requestId, results: readResults(body?.results) };
  }
  // The ingest answers `{ error: { code, message } }`; accept flat `{ error, message }` too.
  const source = (isObject(body?.error) ? body.error : body);
  const text = [source?.code ?? source?.error, source?.message].filter((v) => typeof v === 'string').join(': ');
  const message = `HTTP ${status}${text && ` (${text})`}`;
  if (status >= 400 && status < 500 && ![408, 425, 429].includes(status)) return { kind: 'drop', status, message };
  return { kind: 'keep', status, retryAfterMs: response.retryAfterMs, message };
}

/** The ingest's per-event results, keyed by event id (entries without an id or a known status are ignored). */
function readResults(list: unknown): Map<string, EventResult> {
  const results = new Map<string, EventResult>();
  for (const item of Array.isArray(list) ? (list as Loose[]) : []) {
    if (typeof item?.event_id === 'string' && STATUSES.includes(item.status as string)) results.set(item.event_id, item as unknown as EventResult);
  }
  return results;
}
