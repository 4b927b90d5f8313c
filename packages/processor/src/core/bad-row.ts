import { clipText } from '@eventline/schemas';

/** Why a record could not become an event. */
/**
 * The processor's own types (`partition`: a valid event whose partition values cannot name a
 * folder of EVENT_PREFIX; `postgres`: an event the PostgreSQL sink refused, which the lake holds);
 * rows from the ingest's bad-rows stream are `ingest_<type>`.
 */
export type BadRowErrorType = 'decode' | 'parse' | 'validation' | 'partition' | 'postgres' | `ingest_${string}`;

/**
 * A record that failed processing, kept with enough context to find, explain and replay it.
 * Bad rows are written to the lake next to the events: never dropped silently.
 */
export interface BadRow {
  error_type: BadRowErrorType;
  /** Human-readable cause; for validation, one formatted issue per line (`context.page.url: …`). */
  reason: string;
  sequence_number: string;
  partition_key: string;
  /** The record's payload as text (invalid UTF-8 replaced), cut to PAYLOAD_MAX_CHARS at a character boundary. */
  payload: string;
  payload_truncated: boolean;
  /** When the record reached Kinesis, if known (ISO 8601, UTC). */
  arrived_at: string | null;
  /** When processing failed (ISO 8601, UTC); for ingest rejections, when the ingest received it. */
  failed_at: string;
  /** Ingest rejections only: the app and request they came with. */
  app_id?: string;
  request_id?: string;
  /** Ingest rejections only (always set there): the ingest cut the issues, so `reason` lists only those kept. */
  issues_truncated?: boolean;
}

/**
 * How much of a record's payload a bad row keeps, in UTF-16 code units (JavaScript string length):
 * 64 Ki characters are plenty to diagnose a record while keeping a bad-row file small.
 */
export const PAYLOAD_MAX_CHARS = 64 * 1024;

/**
 * The payload's first PAYLOAD_MAX_CHARS code units, cut at a character boundary (`clipText`): one fewer
 * when a surrogate pair (an emoji, say) straddles the limit. Its lone high surrogate was written as
 * `\ud83d` into the NDJSON bad-row file, which DuckDB then refused whole (every `bad_rows` query failed).
 */
export function truncatePayload(text: string): { payload: string; payload_truncated: boolean } {
  const payload = clipText(text, PAYLOAD_MAX_CHARS);
  return { payload, payload_truncated: payload.length < text.length };
}
