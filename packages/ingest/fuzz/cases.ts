import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { segmentTrack, validBatch, validEvent } from './valid';

/** One generated request and what a correct ingest may answer to it. */
export interface FuzzCase {
  kind: string;
  path: string;
  /** Headers besides auth; `content-type` included when the case sets one. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** How the write key is presented: a configured one (Basic auth), none, an unknown one, or a garbled header. */
  auth: 'key' | 'none' | 'wrong' | 'garbled';
  /** Statuses that are right for this case; any other answer is a failure. */
  expect: readonly number[];
  /** The error code when only one is right. */
  code?: string;
  /** Raw-socket cases: the Content-Length to declare instead of the body's own. */
  declaredLength?: number;
  /** Valid cases: this many events must come back `accepted`. */
  acceptAll?: number;
  /** A 200 must hold exactly this many rejected events, each with an issue of this code. */
  rejectWith?: { count: number; issueCode: string };
}

export const ALLOWED_ORIGIN = 'https://shop.example';
const MIB = 1024 * 1024;
const json = { 'content-type': 'application/json' };
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const device = fc.integer({ min: 0, max: 999 }).map((n) => `device-${n}`);
const events = (n: number, d: string) => Array.from({ length: n }, (_, seq) => validEvent(d, seq));

/** Valid traffic mixed in: our envelope (plain or gzip, JSON or sendBeacon's text/plain) and Segment's routes. */
const valid = fc.record({ n: fc.integer({ min: 1, max: 20 }), d: device, gzip: fc.boolean(), form: fc.constantFrom('native', 'beacon', 'segment-batch', 'segment-track') }).map(({ n, d, gzip, form }): FuzzCase => {
  const text =
    form === 'segment-batch' ? JSON.stringify({ batch: Array.from({ length: n }, () => segmentTrack(d)) }) : form === 'segment-track' ? JSON.stringify(segmentTrack(d)) : validBatch(events(n, d));
  const body = gzip ? new Uint8Array(gzipSync(text)) : bytes(text);
  const headers: Record<string, string> = { 'content-type': form === 'beacon' ? 'text/plain;charset=UTF-8' : 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) };
  return { kind: 'valid', path: form === 'segment-track' ? '/v1/track' : '/v1/batch', headers, body, auth: 'key', expect: [200], acceptAll: form === 'segment-track' ? 1 : n };
});

/** A valid batch cut short anywhere: never valid JSON (the top level is an object). */
const truncatedJson = fc.record({ n: fc.integer({ min: 1, max: 5 }), d: device, at: fc.double({ min: 0, max: 0.999, noNaN: true }) }).map(({ n, d, at }): FuzzCase => {
  const text = validBatch(events(n, d));
  return { kind: 'malformed_json', path: '/v1/batch', headers: json, body: bytes(text.slice(0, Math.floor(at * text.length))), auth: 'key', expect: [400], code: 'invalid_json' };
});

/** Any text at all: mostly not JSON, sometimes JSON of the wrong shape. */
const anyText = fc.string({ unit: 'grapheme', maxLength: 400 }).map((text): FuzzCase => ({ kind: 'random_text', path: '/v1/batch', headers: json, body: bytes(text), auth: 'key', expect: [400] }));

const randomBytes = fc.uint8Array({ maxLength: 4096 }).map((body): FuzzCase => ({ kind: 'random_bytes', path: '/v1/batch', headers: {}, body, auth: 'key', expect: [400] }));

/** Any JSON value as the whole body, on the batch route or a Segment single-message route. */
const anyJson = fc.record({ value: fc.jsonValue({ maxDepth: 5 }), route: fc.constantFrom('/v1/batch', '/v1/track', '/v1/identify') }).map(({ value, route }): FuzzCase => {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  // A Segment route takes any object (its events may then be rejected one by one); anything else is 400.
  return { kind: 'any_json', path: route, headers: json, body: bytes(JSON.stringify(value)), auth: 'key', expect: route !== '/v1/batch' && isObject ? [200] : [400] };
});

const FIELDS = ['schema_version', 'event_id', 'type', 'event', 'properties', 'anonymous_id', 'seq', 'client_ts', 'context', 'traits', 'user_id', 'sent_at', 'session_id', 'extra'] as const;

/** One field of one event replaced by anything (wrong types, nulls, objects): that event alone is rejected, with its path. */
const wrongType = fc.record({ field: fc.constantFrom(...FIELDS), value: fc.anything({ maxDepth: 3, maxKeys: 5 }), d: device, envelope: fc.boolean() }).map(({ field, value, d, envelope }): FuzzCase => {
  const body = envelope ? { sent_at: value, events: events(2, d) } : { sent_at: new Date().toISOString(), events: [validEvent(d, 0, { [field]: value }), validEvent(d, 1)] };
  return { kind: 'wrong_type', path: '/v1/batch', headers: json, body: bytes(JSON.stringify(body) ?? 'null'), auth: 'key', expect: envelope ? [200, 400] : [200] };
});

/**
 * Arrays and objects nested past an event's 32-level limit, up to 100,000 deep (a stack-overflow probe).
 * In an event, within the body's 256 levels: that event alone is rejected (`too_deep`, at its path);
 * past 256 levels, or as the body itself, the request is refused.
 */
const deepNesting = fc.record({ depth: fc.oneof(fc.integer({ min: 33, max: 300 }), fc.integer({ min: 1000, max: 100_000 })), inEvent: fc.boolean() }).map(({ depth, inEvent }): FuzzCase => {
  const pairs = Math.ceil(depth / 2);
  const nest = '[{"a":'.repeat(pairs) + '1' + '}]'.repeat(pairs);
  const base = { kind: 'deep_nesting', path: '/v1/batch', headers: json, auth: 'key' } as const;
  if (!inEvent) return { ...base, body: bytes(nest), expect: [400], ...(2 * pairs > 256 ? { code: 'too_deep' } : {}) };
  const text = validBatch([validEvent('d', 0), validEvent('d', 1)]).replace('"af_price":9.99', `"af_price":9.99,"x":${nest}`);
  // body (1) → events (2) → event (3) → properties (4) → the nest from level 5
  if (4 + 2 * pairs > 256) return { ...base, body: bytes(text), expect: [400], code: 'too_deep' };
  return { ...base, body: bytes(text), expect: [200], rejectWith: { count: 1, issueCode: 'too_deep' } };
});

/** A property string from 10 KB to 1.2 MB: a 200 with the event rejected as too large, or 413 for the body. */
const hugeString = fc.record({ size: fc.integer({ min: 10_000, max: 1_200_000 }), ch: fc.constantFrom('a', 'é', '€', '😀', '\u0000') }).map(({ size, ch }): FuzzCase => {
  const text = validBatch([validEvent('d', 0, { properties: { af_price: 1, note: ch.repeat(Math.ceil(size / Buffer.byteLength(ch))) } })]);
  const b = bytes(text);
  return { kind: 'huge_string', path: '/v1/batch', headers: json, body: b, auth: 'key', expect: b.byteLength > MIB ? [413] : [200] };
});

/** Bytes that are not UTF-8 inside an otherwise valid body, or the body in UTF-16. */
const INVALID_UTF8 = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]];
const badEncoding = fc.record({ seq: fc.constantFrom(...INVALID_UTF8), utf16: fc.boolean(), d: device }).map(({ seq, utf16, d }): FuzzCase => {
  const text = validBatch(events(1, d));
  if (utf16) return { kind: 'bad_encoding', path: '/v1/batch', headers: json, body: new Uint8Array(Buffer.from(text, 'utf16le')), auth: 'key', expect: [400] };
  const at = text.indexOf('af_add_to_cart');
  const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(seq), Buffer.from(text.slice(at))]);
  return { kind: 'bad_encoding', path: '/v1/batch', headers: json, body: new Uint8Array(body), auth: 'key', expect: [400], code: 'invalid_encoding' };
});

/** Content-Encoding that lies (says gzip, is not; is gzip, says nothing) or is not supported. */
const lyingEncoding = fc.record({ lie: fc.constantFrom('says-gzip', 'hides-gzip', 'br', 'deflate', 'gzip, gzip', 'compress'), d: device }).map(({ lie, d }): FuzzCase => {
  const text = validBatch(events(1, d));
  if (lie === 'says-gzip') return { kind: 'lying_encoding', path: '/v1/batch', headers: { ...json, 'content-encoding': 'gzip' }, body: bytes(text), auth: 'key', expect: [400], code: 'invalid_encoding' };
  if (lie === 'hides-gzip') return { kind: 'lying_encoding', path: '/v1/batch', headers: json, body: new Uint8Array(gzipSync(text)), auth: 'key', expect: [400] };
  return { kind: 'lying_encoding', path: '/v1/batch', headers: { ...json, 'content-encoding': lie }, body: bytes(text), auth: 'key', expect: [415], code: 'unsupported_encoding' };
});

/** Content-Length shorter or longer than the body, over a raw socket (fetch would correct it). */
const lyingLength = fc.record({ d: device, delta: fc.oneof(fc.integer({ min: -400, max: -1 }), fc.integer({ min: 1, max: 100_000 })) }).map(({ d, delta }): FuzzCase => {
  const body = bytes(validBatch(events(1, d)));
  // Longer than sent: the request never completes (the client half-closes), so closing without an answer is right too (0).
  return { kind: 'lying_length', path: '/v1/batch', headers: json, body, auth: 'key', expect: delta > 0 ? [400, 0] : [400], declaredLength: Math.max(0, body.byteLength + delta) };
});

/** gzip bodies that inflate past the 8 MiB cap: built once (compressing is the costly part), sent many times. */
const BOMBS = [9, 64, 256].map((mib) => new Uint8Array(gzipSync(Buffer.alloc(mib * MIB, 0x20), { level: 9 })));
const gzipBomb = fc.constantFrom(...BOMBS).map((body): FuzzCase => ({ kind: 'gzip_bomb', path: '/v1/batch', headers: { ...json, 'content-encoding': 'gzip' }, body, auth: 'key', expect: [413], code: 'decompressed_too_large' }));

/** Bodies over the 1 MiB limit. */
const oversized = fc.integer({ min: MIB + 1, max: 3 * MIB }).map((size): FuzzCase => ({ kind: 'oversized', path: '/v1/batch', headers: json, body: new Uint8Array(size).fill(0x20), auth: 'key', expect: [413], code: 'body_too_large' }));

const tooManyEvents = fc.integer({ min: 501, max: 700 }).map((n): FuzzCase => {
  const tiny = Array.from({ length: n }, () => ({}));
  return { kind: 'too_many_events', path: '/v1/batch', headers: json, body: bytes(JSON.stringify({ sent_at: new Date().toISOString(), events: tiny })), auth: 'key', expect: [413], code: 'too_many_events' };
});

const badAuth = fc.record({ auth: fc.constantFrom('none', 'wrong', 'garbled'), d: device }).map(({ auth, d }): FuzzCase => ({
  kind: 'bad_auth',
  path: '/v1/batch',
  headers: json,
  body: bytes(validBatch(events(1, d))),
  auth,
  expect: [401],
  code: auth === 'wrong' ? 'invalid_write_key' : 'missing_write_key',
}));

const foreignOrigin = fc.record({ host: fc.domain(), scheme: fc.constantFrom('http', 'https'), d: device }).map(({ host, scheme, d }): FuzzCase => ({
  kind: 'foreign_origin',
  path: '/v1/batch',
  headers: { ...json, origin: `${scheme}://${host === 'shop.example' ? 'evil.example' : host}` },
  body: bytes(validBatch(events(1, d))),
  auth: 'key',
  expect: [403],
  code: 'origin_not_allowed',
}));

const unknownRoute = fc.webPath().map((p): FuzzCase => ({ kind: 'unknown_route', path: `/v2${p.startsWith('/') ? p : `/${p}`}`, headers: json, body: bytes('{}'), auth: 'key', expect: [404], code: 'not_found' }));

/**
 * The mix sent by `npm run fuzz`: about one case in eight is valid and must be accepted; the costly
 * kinds (bombs, oversized, huge strings) are rarer so that a run stays near a minute.
 */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { arbitrary: valid, weight: 12 },
  { arbitrary: truncatedJson, weight: 8 },
  { arbitrary: anyText, weight: 8 },
  { arbitrary: randomBytes, weight: 8 },
  { arbitrary: anyJson, weight: 8 },
  { arbitrary: wrongType, weight: 14 },
  { arbitrary: deepNesting, weight: 6 },
  { arbitrary: hugeString, weight: 3 },
  { arbitrary: badEncoding, weight: 6 },
  { arbitrary: lyingEncoding, weight: 6 },
  { arbitrary: lyingLength, weight: 6 },
  { arbitrary: gzipBomb, weight: 2 },
  { arbitrary: oversized, weight: 2 },
  { arbitrary: tooManyEvents, weight: 2 },
  { arbitrary: badAuth, weight: 6 },
  { arbitrary: foreignOrigin, weight: 4 },
  { arbitrary: unknownRoute, weight: 2 },
);
