import { parseDateTime, SCHEMA_VERSION, type ClientEvent } from '@eventline/schemas';
import { isoTimestamp } from './iso-time';

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

/** Most UTF-8 bytes of `context.server.user_agent`'s JSON text, escapes included, quotes not (see storedUserAgent). */
export const USER_AGENT_MAX_BYTES = 1024;

/**
 * An event's stored form and its UTF-8 size (for the record bound and the record's place in the request's
 * buffer), and `sentBytes`: the UTF-8 size of the compact JSON of the event object the encoder was given,
 * before it was spent (what the per-event limit applies to; see stored-size.ts).
 */
export interface StoredJson {
  json: string;
  bytes: number;
  sentBytes: number;
}

/**
 * The stored form of a request's events, as JSON text: the client's fields plus `schema_version`,
 * `sent_at` (the batch's when the event has none), `received_at`, `app_id` and `context.server`
 * (always the ingest's own, so a client cannot forge it; it is the context's last key). A client's
 * `context.ip` is dropped, as for Segment messages.
 *
 * Everything that is the same for the whole request (received_at, app_id, request id, IP, user agent,
 * the batch's sent_at) is serialized once here; per event there are two JSON.stringify calls (the
 * context, the rest) spliced as text. Measured: adding the server fields to the parsed objects, or
 * spreading the context into a new object with `server`, made stringify 2–4× slower (shape changes).
 * Each event object is spent afterwards (its context, schema_version and sent_at are unset).
 * The size is summed from the parts: Buffer.byteLength of the spliced string would flatten it first
 * (a copy per event; measured ~6 µs per 50-event request).
 */
export function storedEventEncoder(input: EnrichInput): (event: ClientEvent) => StoredJson {
  const receivedMs = input.receivedAt.getTime();
  const receivedIso = input.receivedAt.toISOString();
  const batchSentAtJson = JSON.stringify(input.batchSentAt);
  const batchSentMs = parseDateTime(input.batchSentAt);
  const afterSentAt = `,"received_at":"${receivedIso}","app_id":${JSON.stringify(input.appId)},"context":`;
  const serverHead = `"server":{"request_id":${JSON.stringify(input.requestId)},"derived_ts":"`;
  const ua = input.userAgent ? storedUserAgent(input.userAgent) : undefined;
  const serverTail = `"${input.ip ? `,"ip":${JSON.stringify(input.ip)}` : ''}${ua ? `,"user_agent":${JSON.stringify(ua)}` : ''}}}`;
  const head = `{"schema_version":${SCHEMA_VERSION},"sent_at":`;
  // Everything but the sent_at, the context's own JSON, derived_ts and the rest; `,` before the server block.
  const fixedBytes = utf8Bytes(head) + utf8Bytes(afterSentAt) + 1 + utf8Bytes(serverHead) + utf8Bytes(serverTail);
  const batchSentAtBytes = utf8Bytes(batchSentAtJson);

  return function storedEventJson(event) {
    const e = event as unknown as Record<string, unknown>;
    const ownSentAt = event.sent_at;
    const sentMs = ownSentAt === undefined ? batchSentMs : parseDateTime(ownSentAt);
    const derived = derivedMs(event.client_ts, ownSentAt ?? input.batchSentAt, sentMs, receivedMs);
    const context = event.context as unknown as Record<string, unknown>;
    // The members unset below (`"key":value` bytes, and how many): the size as sent is the parts' sizes plus these.
    let contextUnsetBytes = 0;
    let contextUnset = 0;
    // Unset, not deleted: assigning keeps the object's shape, and stringify skips undefined.
    if (context.server !== undefined) {
      contextUnsetBytes += memberBytes('server', jsonBytes(context.server));
      contextUnset += 1;
      context.server = undefined;
    }
    // A client-sent IP would bypass INGEST_IP: the only IP stored is the ingest's own, context.server.ip.
    if (context.ip !== undefined) {
      contextUnsetBytes += memberBytes('ip', jsonBytes(context.ip));
      contextUnset += 1;
      context.ip = undefined;
    }
    const contextJson = JSON.stringify(context);
    e.context = undefined;
    let eventUnsetBytes = 0;
    let eventUnset = 1; // the context
    if (e.schema_version !== undefined) {
      // A validated small integer: its JSON is its digits.
      eventUnsetBytes += memberBytes('schema_version', String(event.schema_version).length);
      eventUnset += 1;
      e.schema_version = undefined;
    }
    if (ownSentAt !== undefined) e.sent_at = undefined;
    const rest = JSON.stringify(e);
    const derivedIso = isoTimestamp(derived, receivedMs, receivedIso);
    const sentAtJson = ownSentAt === undefined ? batchSentAtJson : JSON.stringify(ownSentAt);
    // The context always has `library`, so it is never `{}`: the server block follows a comma.
    const stored = `${head}${sentAtJson}${afterSentAt}${contextJson.slice(0, -1)},${serverHead}${derivedIso}${serverTail}`;
    // The context's closing brace is dropped; the rest's opening brace becomes a comma (or `{}` a `}`).
    const sentAtBytes = ownSentAt === undefined ? batchSentAtBytes : utf8Bytes(sentAtJson);
    const contextBytes = utf8Bytes(contextJson);
    const restBytes = rest === '{}' ? 2 : utf8Bytes(rest);
    const bytes = fixedBytes + sentAtBytes + contextBytes - 1 + derivedIso.length + (rest === '{}' ? 1 : restBytes);
    eventUnsetBytes += memberBytes('context', withMembers(contextBytes, contextUnsetBytes, contextUnset));
    if (ownSentAt !== undefined) {
      eventUnsetBytes += memberBytes('sent_at', sentAtBytes);
      eventUnset += 1;
    }
    return { json: rest === '{}' ? `${stored}}` : `${stored},${rest.slice(1)}`, bytes, sentBytes: withMembers(restBytes, eventUnsetBytes, eventUnset) };
  };
}

/** `"key":value` in UTF-8 bytes, from its value's (key a plain ASCII name). */
function memberBytes(key: string, valueBytes: number): number {
  return key.length + 3 + valueBytes;
}

function jsonBytes(value: unknown): number {
  return utf8Bytes(JSON.stringify(value));
}

/** Bytes of a JSON object of `objectBytes` once `count` members of `memberBytes` in all are added back (a comma each). */
function withMembers(objectBytes: number, memberBytes: number, count: number): number {
  // `{}` takes its first member without a comma.
  return objectBytes + memberBytes + count - (objectBytes === 2 && count > 0 ? 1 : 0);
}

/**
 * The `User-Agent` as stored: its longest prefix, by whole characters, whose JSON text (escapes included,
 * quotes not) is at most USER_AGENT_MAX_BYTES of UTF-8, so the server block stays bounded in bytes
 * (Node gives header bytes past 0x7F as Latin-1, 2 bytes each in UTF-8; a control character is a
 * 6-byte escape). Never splits a surrogate pair: a lone half would make the event unstorable.
 */
export function storedUserAgent(userAgent: string): string {
  let used = 0;
  for (let i = 0; i < userAgent.length; i++) {
    const code = userAgent.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < userAgent.length && isLowSurrogate(userAgent.charCodeAt(i + 1));
    used += pair ? 4 : jsonTextBytes(code);
    if (used > USER_AGENT_MAX_BYTES) return userAgent.slice(0, i);
    if (pair) i += 1;
  }
  return userAgent;
}

/**
 * UTF-8 bytes of one UTF-16 code unit (not half of a pair) in JSON.stringify's output, quotes not counted:
 * a table instead of stringify + Buffer.byteLength per character (~60 µs for a long header, each request).
 */
function jsonTextBytes(code: number): number {
  if (code < 0x20) return code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 2 : 6;
  if (code === 0x22 || code === 0x5c) return 2;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  // A lone surrogate is written as a `\udxxx` escape (well-formed JSON.stringify).
  if (code >= 0xd800 && code <= 0xdfff) return 6;
  return 3;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Snowplow's derived timestamp: the device clock may be wrong, but the gap between creating and
 * sending an event is measured on that same clock, so apply it to the server's receive time.
 * Nonsense (sent before created, unparsable) falls back to the receive time.
 */
export function derivedTimestamp(clientTs: string, sentAt: string, receivedAt: Date): string {
  const receivedMs = receivedAt.getTime();
  const receivedIso = receivedAt.toISOString();
  const derived = derivedMs(clientTs, sentAt, Date.parse(sentAt), receivedMs);
  return isoTimestamp(derived, receivedMs, receivedIso);
}

/** The derived timestamp in epoch ms; `sentMs` is `sentAt` parsed (the batch's is parsed once per request). */
function derivedMs(clientTs: string, sentAt: string, sentMs: number, receivedMs: number): number {
  if (clientTs === sentAt) return receivedMs;
  // Validated RFC 3339 (parseDateTime reads it as Date.parse does, ~3× faster).
  const gap = sentMs - parseDateTime(clientTs);
  if (!Number.isFinite(gap) || gap <= 0) return receivedMs;
  return receivedMs - gap;
}
