import { SCHEMA_VERSION, type ClientEvent, type StoredEvent } from '@eventline/schemas';

export interface EnrichInput {
  appId: string;
  receivedAt: Date;
  batchSentAt: string;
}

/** Add the server fields. Client values for them were already rejected by validation. */
export function enrich(event: ClientEvent, input: EnrichInput): StoredEvent {
  return {
    ...event,
    schema_version: SCHEMA_VERSION,
    sent_at: event.sent_at ?? input.batchSentAt,
    received_at: input.receivedAt.toISOString(),
    app_id: input.appId,
  };
}
