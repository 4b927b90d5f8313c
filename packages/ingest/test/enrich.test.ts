import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storedEventEncoder, storedUserAgent, USER_AGENT_MAX_BYTES, type EnrichInput } from '../src/enrich';
import { isoTimestamp } from '../src/iso-time';
import { event } from './helpers';

const input: EnrichInput = {
  appId: 'shop',
  receivedAt: new Date('2026-11-25T10:00:00.000Z'),
  batchSentAt: '2026-11-25T11:00:30.000Z',
  requestId: 'req-1',
  ip: '203.0.113.0',
  userAgent: 'Mozilla/5.0 "quoted"',
};

describe('stored form of an event', () => {
  it('is the client event plus the server fields, with the batch sent_at and a skew-corrected derived_ts', () => {
    const client = event({ client_ts: '2026-11-25T11:00:00.000Z', context: { library: { name: 't', version: '1' }, locale: 'de-DE' } });
    const stored = JSON.parse(storedEventEncoder(input)(structuredClone(client)).json) as Record<string, unknown>;
    expect(stored).toEqual({
      ...client,
      schema_version: 2,
      sent_at: input.batchSentAt,
      received_at: '2026-11-25T10:00:00.000Z',
      app_id: 'shop',
      context: {
        library: { name: 't', version: '1' },
        locale: 'de-DE',
        server: { request_id: 'req-1', derived_ts: '2026-11-25T09:59:30.000Z', ip: '203.0.113.0', user_agent: 'Mozilla/5.0 "quoted"' },
      },
    });
  });

  it("keeps the event's own sent_at and schema_version once each, overwrites a forged server block, omits an absent IP", () => {
    const client = event({ schema_version: 2, sent_at: '2026-11-25T11:00:10.000Z', client_ts: '2026-11-25T11:00:00.000Z', context: { library: { name: 't', version: '1' }, server: { ip: '1.2.3.4' } } });
    const { json } = storedEventEncoder({ ...input, ip: undefined, userAgent: undefined })(structuredClone(client));
    expect(json.match(/"schema_version"/g)).toHaveLength(1);
    expect(json.match(/"sent_at"/g)).toHaveLength(1);
    const stored = JSON.parse(json) as { sent_at: string; context: { server: unknown } };
    expect(stored.sent_at).toBe('2026-11-25T11:00:10.000Z');
    expect(stored.context.server).toEqual({ request_id: 'req-1', derived_ts: '2026-11-25T09:59:50.000Z' });
  });

  it('falls back to received_at when the gap is negative or a time is unparsable', () => {
    const late = event({ client_ts: '2026-11-25T12:00:00.000Z' });
    const stored = JSON.parse(storedEventEncoder(input)(late).json) as { context: { server: { derived_ts: string } } };
    expect(stored.context.server.derived_ts).toBe('2026-11-25T10:00:00.000Z');
    const odd = JSON.parse(storedEventEncoder({ ...input, batchSentAt: 'yesterday' })(event()).json) as { context: { server: { derived_ts: string } } };
    expect(odd.context.server.derived_ts).toBe('2026-11-25T10:00:00.000Z');
  });

  it('counts its UTF-8 bytes exactly, whatever the characters in the client and request parts', () => {
    const wide = { ...input, appId: 'shop', requestId: 'req-é', userAgent: 'Mozilla/5.0 (日本語; "x")\u0001', batchSentAt: 'lundi ⏰' };
    const clients = [
      event({ event: 'ajouté au panier 🛒', properties: { af_content_id: 'ü\n"\\', af_price: 1 }, context: { library: { name: 'ø', version: '1' }, locale: 'zh-汉' } }),
      event({ sent_at: '2026-11-25T11:00:10.000Z', traits: { name: '\ud83d' } }),
      event({ context: { library: { name: 't', version: '1' }, server: 'forged' } }),
    ];
    for (const client of clients) {
      for (const request of [input, wide]) {
        const { json, bytes } = storedEventEncoder(request)(structuredClone(client));
        expect(bytes).toBe(Buffer.byteLength(json, 'utf8'));
      }
    }
  });
});

describe('size as sent (what INGEST_MAX_EVENT_BYTES applies to)', () => {
  it("is the UTF-8 size of the event's compact JSON before the encoder spent it, for any fields, forged server blocks and client IPs included", () => {
    const text = fc.string({ unit: 'binary', maxLength: 20 });
    const extra = fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    const server = fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined });
    fc.assert(
      fc.property(extra, extra, server, server, fc.boolean(), fc.boolean(), fc.constantFrom(1, 2), (properties, contextKeys, forged, ip, ownSentAt, versioned, version) => {
        const context: Record<string, unknown> = { library: { name: 't', version: '1' }, ...contextKeys };
        if (forged !== undefined) context.server = forged;
        if (ip !== undefined) context.ip = ip;
        const client: Record<string, unknown> = { ...event({ properties }), context };
        if (ownSentAt) client.sent_at = '2026-11-25T11:00:10.000Z';
        if (versioned) client.schema_version = version;
        const sent = Buffer.byteLength(JSON.stringify(client));
        const { sentBytes } = storedEventEncoder(input)(structuredClone(client) as never);
        expect(sentBytes).toBe(sent);
      }),
    );
  });
});

describe('stored User-Agent', () => {
  it('is cut to 1024 bytes of JSON text, escapes and Latin-1 bytes (2 in UTF-8) counted, never splitting a pair', () => {
    const jsonBytes = (ua: string) => Buffer.byteLength(JSON.stringify(ua)) - 2;
    expect(storedUserAgent('Mozilla/5.0')).toBe('Mozilla/5.0');
    expect(storedUserAgent('x'.repeat(2000))).toBe('x'.repeat(1024));
    expect(storedUserAgent('é'.repeat(2000))).toBe('é'.repeat(512));
    // \u0001 is a 6-byte escape: 170 of them fit (1020 bytes), the 171st would not.
    expect(storedUserAgent('\u0001'.repeat(400))).toBe('\u0001'.repeat(170));
    const emoji = `${'x'.repeat(1022)}😀tail`; // the pair (4 bytes) would end at 1026
    expect(storedUserAgent(emoji)).toBe('x'.repeat(1022));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1500 }), (ua) => {
        const stored = storedUserAgent(ua);
        expect(ua.startsWith(stored)).toBe(true);
        expect(jsonBytes(stored)).toBeLessThanOrEqual(USER_AGENT_MAX_BYTES);
        if (stored !== ua) expect(jsonBytes(ua.slice(0, stored.length + [...ua.slice(stored.length)][0]!.length))).toBeGreaterThan(USER_AGENT_MAX_BYTES);
      }),
    );
  });
});

describe('stored User-Agent (per-unit byte table)', () => {
  // The cut as first written (JSON.stringify + Buffer.byteLength per character): the table must agree with it.
  function byStringify(ua: string): string {
    if (Buffer.byteLength(JSON.stringify(ua)) <= USER_AGENT_MAX_BYTES + 2) return ua;
    let used = 0;
    let end = 0;
    for (const char of ua) {
      used += Buffer.byteLength(JSON.stringify(char)) - 2;
      if (used > USER_AGENT_MAX_BYTES) break;
      end += char.length;
    }
    return ua.slice(0, end);
  }

  it('cuts where stringify and Buffer.byteLength per character cut, lone surrogates and escapes included', () => {
    // Any UTF-16 unit (lone halves, pairs formed by chance, controls, quotes), weighted to the edges of each byte class.
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.constantFrom(0x00, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x20, 0x22, 0x2f, 0x5c, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff),
      fc.integer({ min: 0xd800, max: 0xdfff }),
    );
    const text = fc.array(unit, { maxLength: 1400 }).map((codes) => String.fromCharCode(...codes));
    const padded = fc.tuple(fc.integer({ min: 900, max: 1030 }), text).map(([n, tail]) => 'x'.repeat(n) + tail);
    fc.assert(fc.property(fc.oneof(text, padded), (ua) => {
      expect(storedUserAgent(ua)).toBe(byStringify(ua));
    }), { numRuns: 2000 });
  });
});

describe('isoTimestamp', () => {
  it('equals toISOString for any time, on the reference day or not', () => {
    const ms = fc.integer({ min: -8.64e15, max: 8.64e15 });
    fc.assert(
      fc.property(ms, fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }), (reference, offset) => {
        const at = Math.max(-8.64e15, Math.min(8.64e15, reference - offset));
        expect(isoTimestamp(at, reference, new Date(reference).toISOString())).toBe(new Date(at).toISOString());
      }),
      { numRuns: 5000 },
    );
    const noon = Date.parse('2026-11-25T12:00:00.000Z');
    for (const at of ['2026-11-25T00:00:00.000Z', '2026-11-25T23:59:59.999Z', '2026-11-24T23:59:59.999Z', '2026-11-26T00:00:00.000Z']) {
      expect(isoTimestamp(Date.parse(at), noon, '2026-11-25T12:00:00.000Z')).toBe(at);
    }
  });
});
