import type { Issue } from '@eventline/schemas';
import { isObject } from './identity';

export interface EventResult {
  status: 'accepted' | 'rejected' | 'retry';
  code?: string;
  issues?: Issue[];
}

type Loose = Record<string, unknown> | undefined;

const STATUSES = ['accepted', 'rejected', 'retry'];

/**
 * What an HTTP status means for the batch sent. 2xx: delivered (per-event results). Any 4xx but
 * 408, 425 and 429: drop, the batch can never succeed as sent (413 is split by the caller). Network
 * error, 408, 425, 429, 5xx and anything else unexpected: keep and retry.
 */
export function verdict(status: number): 'delivered' | 'drop' | 'keep' {
  if (status >= 200 && status < 300) return 'delivered';
  return status >= 400 && status < 500 && ![408, 425, 429].includes(status) ? 'drop' : 'keep';
}

/** The response body when it is a JSON object. */
export function bodyOf(response: { body: unknown }): Loose {
  return isObject(response.body) ? response.body : undefined;
}

/** `HTTP <status> (<code>: <message>)`: the ingest answers `{ error: { code, message } }`; flat `{ error, message }` too. */
export function describe(status: number, body: Loose): string {
  const source = isObject(body?.error) ? body.error : body;
  const text = [source?.code ?? source?.error, source?.message].filter((v) => typeof v === 'string').join(': ');
  return `HTTP ${status}${text && ` (${text})`}`;
}

/**
 * The ingest's per-event results, keyed by event id (entries without an id or a known status are
 * ignored; an event the server did not mention counts as accepted: the request was).
 */
export function readResults(body: Loose): Map<string, EventResult> {
  const results = new Map<string, EventResult>();
  for (const item of Array.isArray(body?.results) ? (body.results as Loose[]) : []) {
    if (typeof item?.event_id === 'string' && STATUSES.includes(item.status as string)) results.set(item.event_id, item as unknown as EventResult);
  }
  return results;
}
