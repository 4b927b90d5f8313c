/**
 * Where finished files go. An object key is a relative, `/`-separated path such as
 * `events/app_id=shop/event_date=2026-11-25/hour=09/shardId-000-1-9.ndjson.gz`.
 * `write` resolves only once the bytes are durable, and writing the same key again replaces it.
 */
export interface Sink {
  write(objectKey: string, bytes: Uint8Array): Promise<void>;
}
