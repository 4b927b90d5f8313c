import { SCHEMA_VERSION, type ClientEvent, type StoredEvent } from '@eventline/schemas';

/** What the ingest knows about the request an event came in. */
export interface EnrichInput {
  appId: string;
  receivedAt: Date;
  batchSentAt: string;
  requestId: string;
  /** Already anonymised (or absent) by the caller's IP policy. */
  ip?: string;
  userAgent?: string;
}

/**
 * Server-derived facts that have no envelope field yet. They live in `context.server`, which the
 * ingest always overwrites, so a client cannot forge them (`context` is open in schema v1).
 */
export interface ServerContext {
  request_id: string;
  /** `received_at − (sent_at − client_ts)`: the event time corrected for the device clock's skew. */
  derived_ts: string;
  ip?: string;
  user_agent?: string;
}

const USER_AGENT_MAX = 1024;

/**
 * Add the server fields, in place: the event is the request's own freshly parsed object, and copying
 * it was the ingest's largest cost. Client values for `app_id`/`received_at` were already rejected.
 */
export function enrich(event: ClientEvent, input: EnrichInput): StoredEvent {
  const stored = event as StoredEvent;
  const sentAt = event.sent_at ?? input.batchSentAt;
  const receivedAt = isoOf(input.receivedAt);
  const server: ServerContext = { request_id: input.requestId, derived_ts: derivedTimestamp(event.client_ts, sentAt, input.receivedAt, receivedAt) };
  if (input.ip) server.ip = input.ip;
  if (input.userAgent) server.user_agent = input.userAgent.length > USER_AGENT_MAX ? input.userAgent.slice(0, USER_AGENT_MAX) : input.userAgent;
  stored.schema_version = SCHEMA_VERSION;
  stored.sent_at = sentAt;
  stored.received_at = receivedAt;
  stored.app_id = input.appId;
  // Context is open in schema v1 (unknown keys are kept), so `server` fits without a schema change.
  (stored.context as Record<string, unknown>).server = server;
  return stored;
}

/** One request's events share their receive time: format it once (hot path, 50+ events a request). */
const isoCache = new WeakMap<Date, string>();
function isoOf(date: Date): string {
  let iso = isoCache.get(date);
  if (iso === undefined) isoCache.set(date, (iso = date.toISOString()));
  return iso;
}

/**
 * Snowplow's derived timestamp: the device clock may be wrong, but the gap between creating and
 * sending an event is measured on that same clock, so apply it to the server's receive time.
 * Nonsense (sent before created, unparsable) falls back to the receive time.
 */
export function derivedTimestamp(clientTs: string, sentAt: string, receivedAt: Date, receivedIso?: string): string {
  const gap = clientTs === sentAt ? 0 : Date.parse(sentAt) - Date.parse(clientTs);
  if (gap === 0) return receivedIso ?? receivedAt.toISOString();
  if (!Number.isFinite(gap) || gap < 0) return receivedIso ?? receivedAt.toISOString();
  return new Date(receivedAt.getTime() - gap).toISOString();
}
