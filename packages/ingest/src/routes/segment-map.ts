import { createHash, randomBytes } from 'node:crypto';
import { isDateTime, isUuidV7, LIMITS, SCHEMA_VERSION, type Issue } from '@eventline/schemas';
import { RequestRejectedError } from '../errors';
import { mapContext } from './segment-context';
import { dropMarker, leftover, segmentExtra } from './segment-extra';
import { fitText, usableTime } from './segment-fit';

/** Segment's batch body: `{ batch: [message, …], sentAt?, context? }`. */
export interface SegmentBatch {
  batch: unknown[];
  sentAt?: unknown;
  context?: unknown;
}

export function isSegmentBatch(body: unknown): body is SegmentBatch {
  return typeof body === 'object' && body !== null && Array.isArray((body as { batch?: unknown }).batch) && !('events' in body);
}

type Message = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
// A number out of range (1e999 parses to Infinity) is no id: segmentRuleIssues refuses it rather than storing "Infinity".
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/** Segment's id fields: a number in one is read as its digits, so one out of range is refused by name. */
const ID_FIELDS = ['anonymousId', 'userId', 'messageId', 'previousId', 'groupId'] as const;

/**
 * Segment's `sentAt` is optional, but when sent it is the batch's sent_at on every stored event, so it
 * is held to the native envelope's rule for `sent_at`: an RFC 3339 date-time string (what Segment's
 * libraries send, `toISOString()`), else the request is refused with the field's path.
 */
export function segmentSentAtIssues(sentAt: unknown): Issue[] | undefined {
  if (sentAt === undefined) return undefined;
  if (typeof sentAt !== 'string') return [{ path: 'sentAt', code: 'invalid_type', message: 'expected string' }];
  if (!isDateTime(sentAt)) return [{ path: 'sentAt', code: 'invalid_format', message: 'expected format date-time' }];
  return undefined;
}

export interface MappedSegmentBatch {
  events: unknown[];
  sentAt: string;
  /** Messages that break Segment's own rules, by index: refused with these issues (Segment field paths). */
  refused: Map<number, Issue[]>;
  /**
   * Each message's size as sent, in UTF-8 bytes of its compact JSON, with the batch's shared `context`
   * merged into its own (what its event is made from; a context that is no object counted as sent):
   * INGEST_MAX_EVENT_BYTES applies to it (stored-size.ts).
   */
  sentBytes: number[];
}

/**
 * Map a Segment batch onto our events; the schema then validates them like any other. Check `sentAt`
 * first. `pathOf(i)` names message i in issues: `batch[i]` for a batch, `''` for a single message.
 */
export function segmentBatchToEvents(body: SegmentBatch, pathOf: (i: number) => string = (i) => `batch[${i}]`, fallbackTs = new Date().toISOString()): MappedSegmentBatch {
  const sentAt = typeof body.sentAt === 'string' ? body.sentAt : fallbackTs;
  const shared = isObject(body.context) ? body.context : {};
  const batchFields = batchLeftovers(body);
  const sharesContext = Object.keys(shared).length > 0;
  const refused = new Map<number, Issue[]>();
  const sentBytes: number[] = [];
  const events = body.batch.map((m, i) => {
    if (!isObject(m)) return m;
    const issues = segmentRuleIssues(m, pathOf(i));
    if (issues.length > 0) refused.set(i, issues);
    const merged = { ...m, context: { ...shared, ...(isObject(m.context) ? m.context : {}) } };
    // A writeKey is never stored, so it is not counted either (as on /v1/<type> and at the batch's level).
    const whole = sharesContext ? merged : m;
    const measured: Message = m.writeKey === undefined ? whole : { ...whole, writeKey: undefined };
    // A context that is not an object is not mapped: kept as sent in segment_extra.context.
    const unmapped = m.context === undefined || m.context === null || isObject(m.context) ? undefined : m.context;
    // `merged` holds only the shared context in its place, so such a context is counted as sent on its own.
    const unmappedBytes = sharesContext && unmapped !== undefined ? Buffer.byteLength(JSON.stringify(unmapped)) : 0;
    sentBytes[i] = Buffer.byteLength(JSON.stringify(measured)) + unmappedBytes;
    return segmentToEvent(merged, i, sentAt, batchFields, unmapped);
  });
  return { events, sentAt, refused, sentBytes };
}

/**
 * A Segment batch's `context` is copied into each of its messages. Unbounded, a 1 MiB body of one ~0.9 MB
 * context and 2500 tiny messages made 2500 events of 0.9 MB: 12.7 s of the event loop and 165 MB of bad
 * rows. The copies may add no more than the body could inflate to.
 */
export function checkSharedContext(context: unknown, count: number, max: number): void {
  // Only an object is copied (segmentBatchToEvents); anything else is kept once, in segment_extra.batch.
  if (!isObject(context)) return;
  const bytes = Buffer.byteLength(JSON.stringify(context));
  if (bytes * count > max) {
    throw new RequestRejectedError(413, 'batch_context_too_large', `the batch's context (${bytes} bytes) copied into each of its ${count} messages comes to ${bytes * count} bytes, over the ${max}-byte limit; send a smaller context or fewer messages per batch`);
  }
}

/**
 * The batch body's fields beyond those the mapping reads (e.g. a batch-wide `integrations`): kept in each
 * event's segment_extra.batch when their JSON is at most BATCH_EXTRA_MAX_BYTES. Larger, they would be
 * copied into each of the batch's events, so each gets only the marker `{ dropped: 'too_large', bytes }`.
 */
export const BATCH_EXTRA_MAX_BYTES = 1024;
function batchLeftovers(body: SegmentBatch): Record<string, unknown> | undefined {
  // A `context` that is not an object is not copied into the messages: it is kept here like any other field.
  const fields = leftover(body as unknown as Record<string, unknown>, ['batch', 'sentAt', 'writeKey', ...(isObject(body.context) ? ['context'] : [])]);
  if (fields === undefined) return undefined;
  const marker = dropMarker(fields, 'too_large');
  return marker.bytes > BATCH_EXTRA_MAX_BYTES ? { ...marker } : fields;
}

/** A Segment id field that is set: a non-empty string or a number (null, `''` and absent are not). */
const id = (v: unknown): string | undefined => (v === '' ? undefined : str(v));

/** Segment's per-type required fields beyond an identity (its HTTP API spec). */
// A Map: the type is the client's, and `constructor` or `__proto__` must not find an Object.prototype member.
const SEGMENT_REQUIRED: ReadonlyMap<string, readonly string[]> = new Map([['track', ['event']], ['group', ['groupId']], ['alias', ['userId', 'previousId']]]);

/**
 * Segment's rules, checked on the message itself so that a refusal names the field the client sent:
 * every message needs `userId` or `anonymousId` (an identify with only `anonymousId` is fine), an alias
 * both `userId` and `previousId`, a track its `event`, a group its `groupId`. Wrong types are left to
 * the schema, after mapping.
 */
export function segmentRuleIssues(m: Message, prefix: string): Issue[] {
  const at = (field: string) => (prefix === '' ? field : `${prefix}.${field}`);
  const type = str(m.type) ?? '';
  const issues: Issue[] = [];
  for (const field of ID_FIELDS) {
    const v = m[field];
    if (typeof v === 'number' && !Number.isFinite(v)) issues.push({ path: at(field), code: 'invalid_value', message: 'number out of range (beyond ±1.8e308, e.g. 1e999): not an id' });
  }
  if (issues.length > 0) return issues;
  if (type !== 'alias' && id(m.userId) === undefined && id(m.anonymousId) === undefined) {
    issues.push({ path: at('anonymousId'), code: 'required', message: 'userId or anonymousId is required' });
  }
  for (const field of SEGMENT_REQUIRED.get(type) ?? []) {
    const v = m[field];
    if (v === undefined || v === null || v === '') issues.push({ path: at(field), code: 'required', message: `required for type "${type}"` });
  }
  return issues;
}

/**
 * One Segment message (track, identify, page, screen, alias, group) as our event (current envelope version):
 * camelCase ids to snake_case, `messageId` to a UUIDv7 (a resend maps to the same id when the message
 * has a timestamp: the id's time bits are client_ts, which is otherwise the batch's sentAt or now),
 * `timestamp` to `client_ts`, `name` of page/screen to `event`, context fields to ours. What has no
 * place in our envelope goes to `context.segment_extra` (segment-extra.ts); nothing the user set is overwritten.
 * A timestamp without an offset is not read (its zone is unknown) and a name or id over our limits is
 * stored fitted (segment-fit.ts): either way the value as sent is kept in segment_extra under its field.
 */
export function segmentToEvent(message: Message, seq: number, sentAt: string, batchFields?: Record<string, unknown>, unmappedContext?: unknown): Record<string, unknown> {
  const m = withoutNulls(message);
  const used = new Set<string>();
  const kept: Record<string, unknown> = {};
  const timestamp = usableTime(m.timestamp);
  const ownTs = timestamp ?? usableTime(m.originalTimestamp);
  if (timestamp === undefined && ownTs !== undefined) used.add('originalTimestamp');
  // null is "not set" (a library serialising an unset field); anything else not read is kept as sent.
  if (timestamp === undefined && m.timestamp !== undefined && m.timestamp !== null) kept.timestamp = m.timestamp;
  const clientTs = ownTs ?? sentAt;
  const type = str(m.type);
  // An empty page/screen name (analytics-kotlin's screen("")) is no name: kept in segment_extra, not made `event: ""`.
  const nameField = type === 'track' ? 'event' : (type === 'page' || type === 'screen') && m.name !== '' ? 'name' : undefined;
  if (nameField) used.add(nameField);
  const fit = (field: string, value: string | undefined, max: number): string | undefined => {
    if (value === undefined || value.length <= max) return value;
    kept[field] = m[field];
    return fitText(value, max);
  };
  const name = nameField ? m[nameField] : undefined;
  const anonymousId = id(m.anonymousId) === undefined ? fit('userId', id(m.userId), LIMITS.idMax) : fit('anonymousId', id(m.anonymousId), LIMITS.idMax);
  // An unread timestamp is still the message's own and the same on a resend: its id stays stable (idTime).
  const unreadTime = ownTs === undefined ? (m.timestamp ?? m.originalTimestamp) : undefined;
  const eventId = stableEventId(m, ownTs ?? idTime(unreadTime) ?? clientTs, seq, ownTs !== undefined || unreadTime !== undefined);
  // A messageId kept verbatim is the event id; any other is hashed into it, so the original is kept as extra.
  if (eventId === str(m.messageId)?.toLowerCase()) used.add('messageId');
  const properties = categorized(m);
  if (properties !== m.properties || m.category === null) used.add('category');
  const optional: Record<string, unknown> = {
    event: typeof name === 'string' ? fit(nameField!, name, LIMITS.eventNameMax) : name ?? undefined,
    properties,
    traits: m.traits,
    // `''` is no user id, as null is (Segment's rule above reads it so too).
    user_id: m.userId === null || m.userId === '' ? null : fit('userId', str(m.userId), LIMITS.idMax) ?? m.userId,
    previous_id: fit('previousId', str(m.previousId), LIMITS.idMax) ?? m.previousId,
    group_id: fit('groupId', str(m.groupId), LIMITS.idMax) ?? m.groupId,
  };
  const { context, left } = mapContext(isObject(m.context) ? m.context : {});
  const extra = segmentExtra({ message: m, used, kept, sentAt, contextLeft: left, batchFields, unmappedContext });
  // The current envelope version: the context is mapped into the current schema's slots (segment-context.ts),
  // so the event needs no upcasting (which would copy it) and is stored as what it is.
  const out: Record<string, unknown> = {
    schema_version: SCHEMA_VERSION,
    event_id: eventId,
    type: m.type,
    anonymous_id: anonymousId,
    seq,
    client_ts: clientTs,
    context: extra ? { ...context, segment_extra: extra } : context,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
  return out;
}

/** `properties` and `traits` sent as null mean none (a library serialising an unset field); the schema wants an object or nothing. */
function withoutNulls(m: Message): Message {
  if (m.properties !== null && m.traits !== null) return m;
  const rest = { ...m };
  if (rest.properties === null) delete rest.properties;
  if (rest.traits === null) delete rest.traits;
  return rest;
}

/** Segment's `category` (of a page) becomes `properties.category` unless the user's properties hold one: then it stays in segment_extra. */
function categorized(m: Message): unknown {
  if (m.category === undefined || m.category === null) return m.properties;
  const props = isObject(m.properties) ? m.properties : {};
  if ('category' in props || (m.properties !== undefined && !isObject(m.properties))) return m.properties;
  return { ...props, category: m.category };
}

/**
 * The time bits for the event id of a message whose `timestamp` is not read (no offset, a number, …):
 * only so that a resend, which carries the same value, maps to the same id. An offset-less date-time is
 * taken as UTC here (its zone is unknown; the id's time is then off by the device's offset, which
 * matters to nothing but the id's sort order), a number as epoch ms, anything else as time 0.
 */
function idTime(timestamp: unknown): string | undefined {
  if (timestamp === undefined || timestamp === null) return undefined;
  const ms =
    typeof timestamp === 'number' ? timestamp
    : typeof timestamp === 'string' && /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.test(timestamp) ? Date.parse(`${timestamp.replace(' ', 'T')}${timestamp.length > 10 ? 'Z' : ''}`)
    : 0;
  return new Date(Number.isFinite(ms) && ms >= 0 && ms < 2 ** 48 ? ms : 0).toISOString();
}

/**
 * A UUIDv7 whose time is the event's and whose other bits come from what makes a resend recognisable:
 * a hash of the messageId; without one, a hash of the message and its position in the request (two
 * identical messages of one batch are two events; the same batch resent maps to the same ids). A
 * message with neither a messageId nor its own timestamp cannot be recognised on a resend (its time
 * is the batch's or the receive time), so its bits are random: identical ones never collapse into one.
 */
export function stableEventId(m: Message, clientTs: string, position: number, ownTimestamp: boolean): string {
  const id = str(m.messageId);
  if (id !== undefined && isUuidV7(id)) return id.toLowerCase();
  const ms = Date.parse(clientTs);
  const b =
    id !== undefined
      ? createHash('sha256').update(id).digest().subarray(0, 16)
      : ownTimestamp
        ? createHash('sha256').update(`${position}:${JSON.stringify(resendInvariant(m))}`).digest().subarray(0, 16)
        : randomBytes(16);
  b.writeUIntBE(Number.isFinite(ms) && ms >= 0 && ms < 2 ** 48 ? ms : 0, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The message without what a client changes on a resend: Segment's libraries stamp `sentAt` (and
 * `_metadata`) anew on each attempt, and the write key may travel in the message.
 */
const RESTAMPED = ['sentAt', '_metadata', 'writeKey'] as const;
function resendInvariant(m: Message): Message {
  const rest = { ...m };
  for (const key of RESTAMPED) delete rest[key];
  return rest;
}
