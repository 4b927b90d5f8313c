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

/** Add the server fields. Client values for `app_id`/`received_at` were already rejected by validation. */
export function enrich(event: ClientEvent, input: EnrichInput): StoredEvent {
  const sentAt = event.sent_at ?? input.batchSentAt;
  const server: ServerContext = {
    request_id: input.requestId,
    derived_ts: derivedTimestamp(event.client_ts, sentAt, input.receivedAt),
    ...(input.ip ? { ip: input.ip } : {}),
    ...(input.userAgent ? { user_agent: input.userAgent.slice(0, USER_AGENT_MAX) } : {}),
  };
  return {
    ...event,
    schema_version: SCHEMA_VERSION,
    sent_at: sentAt,
    received_at: input.receivedAt.toISOString(),
    app_id: input.appId,
    // Context is open in schema v1 (unknown keys are kept), so `server` fits without a schema change.
    context: { ...event.context, server } as StoredEvent['context'],
  };
}

/**
 * Snowplow's derived timestamp: the device clock may be wrong, but the gap between creating and
 * sending an event is measured on that same clock, so apply it to the server's receive time.
 * Nonsense (sent before created, unparsable) falls back to the receive time.
 */
export function derivedTimestamp(clientTs: string, sentAt: string, receivedAt: Date): string {
  const created = Date.parse(clientTs);
  const sent = Date.parse(sentAt);
  const gap = sent - created;
  if (!Number.isFinite(gap) || gap < 0) return receivedAt.toISOString();
  return new Date(receivedAt.getTime() - gap).toISOString();
}
