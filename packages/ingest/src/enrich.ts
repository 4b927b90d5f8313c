import { SCHEMA_VERSION, type ClientEvent } from '@eventline/schemas';

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
 * The event as stored, as JSON text: the client's fields plus `schema_version`, `sent_at` (the
 * batch's when the event has none), `received_at`, `app_id` and `context.server` (always the
 * ingest's own, so a client cannot forge it). Spliced as text around one JSON.stringify of the
 * event: adding properties to the parsed object first made stringify ~2× slower (shape changes),
 * and a copy cost as much. The event object is spent afterwards (its context and sent_at are unset).
 */
export function storedEventJson(event: ClientEvent, input: EnrichInput): string {
  const e = event as unknown as Record<string, unknown>;
  const sentAt = event.sent_at ?? input.batchSentAt;
  const receivedAt = isoOf(input.receivedAt);
  const server: ServerContext = { request_id: input.requestId, derived_ts: derivedTimestamp(event.client_ts, sentAt, input.receivedAt, receivedAt) };
  if (input.ip) server.ip = input.ip;
  if (input.userAgent) server.user_agent = input.userAgent.length > USER_AGENT_MAX ? input.userAgent.slice(0, USER_AGENT_MAX) : input.userAgent;
  // Context is open in schema v1 (unknown keys are kept), so `server` fits without a schema change.
  const context = JSON.stringify({ ...event.context, server });
  // Written by the head below: unset (assigning keeps the object's shape; stringify skips undefined).
  e.context = undefined;
  if (e.schema_version !== undefined) e.schema_version = undefined;
  if (e.sent_at !== undefined) e.sent_at = undefined;
  const rest = JSON.stringify(e);
  const head = `{"schema_version":${SCHEMA_VERSION},"sent_at":${JSON.stringify(sentAt)},"received_at":"${receivedAt}","app_id":${JSON.stringify(input.appId)},"context":${context}`;
  return rest === '{}' ? `${head}}` : `${head},${rest.slice(1)}`;
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
