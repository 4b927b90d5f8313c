import { SERVER_CONTEXT_KEYS } from '@eventline/schemas';
import { USER_AGENT_MAX_BYTES } from './enrich';
import { ADDED_VERSION_BYTES, RENAME_BYTES } from './upcast-size';

/**
 * What the per-event limit (INGEST_MAX_EVENT_BYTES) is measured on, and the bound on what is stored.
 *
 * The limit applies to the event **as the client sent it**: the UTF-8 size of its compact JSON
 * (`JSON.stringify` of the event as parsed: no whitespace, non-ASCII as UTF-8, what the SDK sends). A
 * Segment message is measured the same way, with the batch's shared `context` merged into its own. The
 * fields the ingest adds never count against it: the stored record may exceed the limit by at most
 * RECORD_HEADROOM_BYTES, which holds the server fields (SERVER_FIELDS_MAX_BYTES, worked out below) and
 * what mapping a Segment message adds.
 */

/** Longest timestamp the ingest writes (`toISOString`; `+012345-…` past year 9999). */
const ISO_MAX = 27;
/** Longest RFC 3339 date-time a client's `sent_at` may be (parseDateTime: 9 fraction digits and an offset). */
const DATE_TIME_MAX = 35;
/** A request id: a UUID. */
const REQUEST_ID = 36;
/** `app_id`: 1–128 of `[A-Za-z0-9_-]` (the schemas' AppId). */
const APP_ID_MAX = 128;
/** Longest IP stored: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255` (a zone id is never stored). */
const IP_MAX = 45;

/**
 * The most bytes the ingest adds to an event's compact JSON: `schema_version` (when the client sent
 * none), the batch's `sent_at` (when the event has none), `received_at`, `app_id`, the whole
 * `context.server` block, and the 7 bytes of a version 1 `first_touch` renamed `legacy_first_touch`
 * (what a client sent in `context.server` or `context.ip` is dropped, never added). 1,457 bytes.
 */
export const SERVER_FIELDS_MAX_BYTES =
  ADDED_VERSION_BYTES +
  '"sent_at":"",'.length + DATE_TIME_MAX +
  '"received_at":"",'.length + ISO_MAX +
  '"app_id":"",'.length + APP_ID_MAX +
  `,"server":{${SERVER_CONTEXT_KEYS.map((key) => `"${key}":""`).join(',')}}`.length + REQUEST_ID + ISO_MAX + IP_MAX + USER_AGENT_MAX_BYTES +
  RENAME_BYTES;

/**
 * How far a stored record may exceed INGEST_MAX_EVENT_BYTES: the server fields, and for a mapped Segment
 * message its renamed keys, generated `event_id` and `seq`, an `anonymous_id` copied from `userId`, and
 * `segment_extra.batch` (≤ 1 KiB). A mapped event still over it is stored without its segment_extra.
 */
export const RECORD_HEADROOM_BYTES = 4096;

/**
 * The largest INGEST_MAX_EVENT_BYTES: 1,019,904, so that a stored record (limit + headroom) is at most
 * 1,024,000 bytes, within Firehose's 1,000 KiB record limit (the processor's Firehose transform reads the
 * events stream) as well as Kinesis' 1 MiB.
 */
export const MAX_EVENT_BYTES_CEILING = 1000 * 1024 - RECORD_HEADROOM_BYTES;

/** The most a stored event (one Kinesis record) may be: at most 1,024,000 bytes for every allowed INGEST_MAX_EVENT_BYTES. */
export function recordMaxBytes(maxEventBytes: number): number {
  return maxEventBytes + RECORD_HEADROOM_BYTES;
}
