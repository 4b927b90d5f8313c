import { INGEST_REJECTION_CODES } from '@eventline/schemas';
import type { BatchResponse, EventStatus } from './routes/ingest-events';

/**
 * The smallest response any documented front end takes: an ALB's Lambda target may answer at most 1 MB of
 * response JSON (read as 1,000,000 bytes), past which the ALB answers 502 itself; the client resends, and
 * every bad row is written again. (API Gateway and a function URL take Lambda's 6 MB; the Node server has no limit.)
 */
export const FRONT_END_RESPONSE_MAX_BYTES = 1_000_000;
/**
 * Kept for the rest of the Lambda response around the answer: status, `isBase64Encoded` and the headers (an
 * echoed `Origin` only in a browser's form, at most `ORIGIN_MAX_LENGTH` characters: http/origin-form.ts).
 */
export const RESPONSE_ENVELOPE_BYTES = 32 * 1024;
/** One answer, all of it (envelope, every event's status, issues), at most this many bytes as carried (`carriedBytes`). */
export const ANSWER_MAX_BYTES = FRONT_END_RESPONSE_MAX_BYTES - RESPONSE_ENVELOPE_BYTES;
/**
 * The bytes JSON text takes as the Lambda response carries it: inside a JSON string, where each `"` and `\`
 * is escaped. Bounding this bounds the Node server's answer too (its bytes are fewer).
 */
export function carriedBytes(json: string): number {
  return Buffer.byteLength(JSON.stringify(json), 'utf8') - 2;
}


/** An event's id as answered is at most this many UTF-16 units (its first ones, as sent, for a rejected event). */
export const ANSWERED_EVENT_ID_MAX_UNITS = 64;
/**
 * The costliest id an answer can carry for each kind of batch: ours answers a rejected event's id as sent,
 * and a control character (U+0001) is the longest unit carried (`\u0001`, its `\` escaped once more: 7 bytes);
 * a mapped Segment message's id is always a UUID the mapping made (segment-map.ts `stableEventId`).
 */
const WORST_NATIVE_ID = '\u0001'.repeat(ANSWERED_EVENT_ID_MAX_UNITS);
const WORST_SEGMENT_ID = '00000000-0000-7000-8000-000000000000';

/**
 * The most an answer listing `count` events can take with no issues at all: every event's status and code,
 * each at its longest (`eventId` at its costliest), and the envelope with counts of `count`'s digits.
 */
export function statusesMaxBytes(count: number, eventId: string): number {
  const envelope: BatchResponse = { request_id: WORST_SEGMENT_ID, accepted: count, rejected: count, retry: count, results: [], issues_truncated: true };
  return carriedBytes(JSON.stringify(envelope)) + count * entryMaxBytes(eventId) + Math.max(0, count - 1);
}

/** One event's status and code at its longest, with `eventId` and no issues (computed once per id: capAnswer asks on every answer). */
function entryMaxBytes(eventId: string): number {
  const known = entryMaxCache.get(eventId);
  if (known !== undefined) return known;
  const entries: EventStatus[] = [
    { event_id: eventId, status: 'accepted' },
    { event_id: eventId, status: 'retry', code: 'queue_unavailable' },
    ...INGEST_REJECTION_CODES.map((code): EventStatus => ({ event_id: eventId, status: 'rejected', code, issues: [], issues_truncated: true })),
  ];
  const bytes = Math.max(...entries.map((e) => carriedBytes(JSON.stringify(e))));
  if (entryMaxCache.size < 8) entryMaxCache.set(eventId, bytes);
  return bytes;
}
const entryMaxCache = new Map<string, number>();

/**
 * The most one UTF-16 unit of a string takes as carried: a control character or a lone surrogate is written
 * `\u0001` in JSON, its `\` escaped once more (7 bytes); any other unit at most 3 bytes of UTF-8 (or `\\\"`: 4).
 */
const CARRIED_BYTES_PER_UNIT_MAX = 7;

/**
 * A cheap upper bound of the answer's `carriedBytes`, without writing its statuses out: every status at its
 * longest with an empty id, each id at its costliest per unit, and each rejected event's issues as JSON
 * counted twice (JSON text holds no control characters or lone surrogates, so a character is carried as at
 * most twice its UTF-8 bytes: `"` and `\` escaped once more, every other one as it is).
 */
export function answerBytesBound(response: BatchResponse): number {
  let bytes = statusesMaxBytes(response.results.length, '');
  // statusesMaxBytes counts a UUID's request id (ours always is); a longer one at its costliest.
  bytes += Math.max(0, response.request_id.length * CARRIED_BYTES_PER_UNIT_MAX - WORST_SEGMENT_ID.length);
  for (const result of response.results) {
    // A null id (`null`) is carried in as many bytes as the empty one counted above (`\"\"`).
    if (result.event_id !== null) bytes += result.event_id.length * CARRIED_BYTES_PER_UNIT_MAX;
    if (result.status === 'rejected') bytes += 2 * Buffer.byteLength(JSON.stringify(result.issues), 'utf8');
  }
  return bytes;
}

/** The most events whose statuses alone always fit one answer. */
function mostThatFit(eventId: string): number {
  let low = 0;
  let high = 1_000_000;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (statusesMaxBytes(mid, eventId) <= ANSWER_MAX_BYTES) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Batch sizes under which even the answer's bare statuses (status and code per event, no issues) could pass
 * ANSWER_MAX_BYTES: no cut could then bring the answer within the ALB's limit without dropping statuses, and
 * a client reads an event the answer does not mention as accepted. One problem per setting (called by `names`), naming its most;
 * a setting left undefined (refused on its own, createApp) is not weighed.
 */
export function answerBoundProblems(
  limits: { maxBatchEvents?: number; maxSegmentBatchEvents?: number },
  names: { maxBatchEvents: string; maxSegmentBatchEvents: string },
): string[] {
  const settings = [
    [names.maxBatchEvents, limits.maxBatchEvents, WORST_NATIVE_ID],
    [names.maxSegmentBatchEvents, limits.maxSegmentBatchEvents, WORST_SEGMENT_ID],
  ] as const;
  return settings.flatMap(([name, count, id]) => {
    if (count === undefined) return [];
    const bytes = statusesMaxBytes(count, id);
    if (bytes <= ANSWER_MAX_BYTES) return [];
    return [`${name} (${count}) is more events than one answer can list: their statuses alone may take ${bytes} bytes, over the ${ANSWER_MAX_BYTES}-byte answer bound (an ALB's 1 MB response limit, less ${RESPONSE_ENVELOPE_BYTES} for its headers); at most ${mostThatFit(id)}`];
  });
}
