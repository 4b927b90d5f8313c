import { describe, expect, it } from 'vitest';
import { isUuidV7 } from '@eventline/schemas';
import { createMemoryWriter, type BatchResponse, type RecordWriter } from '../src';
import { basic, decode, post, testApp, WRITE_KEY } from './helpers';

const ts = '2026-11-25T09:59:00.000Z';
const messages = {
  track: { anonymousId: 'anon-1', event: 'Order Completed', properties: { af_revenue: 12.5, af_currency: 'EUR' }, messageId: 'm-track', timestamp: ts },
  identify: { userId: 'user-1', anonymousId: 'anon-1', traits: { plan: 'pro' }, messageId: 'm-identify', timestamp: ts },
  page: { anonymousId: 'anon-1', name: 'Home', category: 'Docs', properties: { url: 'https://shop.example/' }, context: { page: { url: 'https://shop.example/', search: '?q=1' } } },
  screen: { anonymousId: 'anon-1', name: 'Cart' },
  alias: { userId: 'user-1', previousId: 'anon-1' },
  group: { userId: 'user-1', groupId: 'acme', traits: { seats: 10 } },
} as const;

describe('Segment-compatible routes', () => {
  it.each(Object.entries(messages))('POST /v1/%s maps the message onto a valid event', async (type, message) => {
    const writer = createMemoryWriter();
    const res = await testApp(writer).request(`/v1/${type}`, post(JSON.stringify(message)));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const stored = decode(writer.records.get('events')![0]!.data);
    expect(stored).toMatchObject({ type, app_id: 'shop', context: { library: { name: 'segment-http' } } });
    expect(isUuidV7(stored.event_id as string)).toBe(true);
  });

  it('keeps ids, names and properties; what our envelope has no place for goes to context.segment_extra', async () => {
    const writer = createMemoryWriter();
    await testApp(writer).request('/v1/page', post(JSON.stringify(messages.page)));
    await testApp(writer).request('/v1/track', post(JSON.stringify(messages.track)));
    const [page, track] = writer.records.get('events')!.map((r) => decode(r.data));
    expect(page).toMatchObject({ event: 'Home', anonymous_id: 'anon-1', properties: { url: 'https://shop.example/', category: 'Docs' } });
    expect(page!.context).toMatchObject({ page: { url: 'https://shop.example/' } });
    expect(track).toMatchObject({ event: 'Order Completed', client_ts: ts, properties: { af_revenue: 12.5 } });
    expect(page!.context).toMatchObject({ segment_extra: { context: { page: { search: '?q=1' } } } });
    // The messageId was hashed into the event id: the original is kept.
    expect(track!.context).toMatchObject({ segment_extra: { messageId: 'm-track' } });
  });

  it('keeps every Segment field of an analytics-node batch, never overwriting a user property with one', async () => {
    const writer = createMemoryWriter();
    // As @segment/analytics-node sends it (its batch body, message fields and context), with a user's own `category`.
    const body = {
      batch: [
        {
          type: 'page', anonymousId: 'anon-1', name: 'Pricing', category: 'Marketing', properties: { category: 'shoes', path: '/pricing' },
          messageId: 'node-next-1732614000000-6f1c', timestamp: ts, channel: 'server', integrations: { Amplitude: false },
          _metadata: { nodeVersion: '22.11.0', jsRuntime: 'node' },
          context: { library: { name: '@segment/analytics-node', version: '2.2.0', extra: 1 }, page: { url: 'https://shop.example/p', search: '?a=1' }, campaign: { source: 'news', utm_id: 'c-7' }, segment_extra: { mine: true } },
        },
        { type: 'track', anonymousId: 'anon-1', event: 'Order Completed', name: 'a track has no name field', properties: { category: 'shoes' }, category: 'ignored', timestamp: ts, receivedAt: ts },
        { type: 'page', anonymousId: 'anon-1', name: 'Docs', category: 'Docs', messageId: '0193b6a1-0000-7000-8000-000000000001', timestamp: ts },
      ],
      sentAt: ts,
      integrations: { All: true },
    };
    const res = await testApp(writer).request('/v1/batch', post(JSON.stringify(body)));
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const [page, track, docs] = writer.records.get('events')!.map((r) => decode(r.data));
    expect(page).toMatchObject({ event: 'Pricing', properties: { category: 'shoes', path: '/pricing' } });
    expect(page!.context).toMatchObject({ library: { name: '@segment/analytics-node', version: '2.2.0' }, page: { url: 'https://shop.example/p' }, campaign: { source: 'news' } });
    expect((page!.context as Record<string, unknown>).segment_extra).toEqual({
      category: 'Marketing',
      messageId: 'node-next-1732614000000-6f1c',
      channel: 'server',
      integrations: { Amplitude: false },
      _metadata: { nodeVersion: '22.11.0', jsRuntime: 'node' },
      context: { library: { extra: 1 }, page: { search: '?a=1' }, campaign: { utm_id: 'c-7' }, segment_extra: { mine: true } },
      batch: { integrations: { All: true } },
    });
    expect(track).toMatchObject({ event: 'Order Completed', properties: { category: 'shoes' } });
    expect((track!.context as Record<string, unknown>).segment_extra).toEqual({ name: 'a track has no name field', category: 'ignored', receivedAt: ts, batch: { integrations: { All: true } } });
    // A category with no user one to collide with becomes the property; a UUIDv7 messageId is the event id itself.
    expect(docs).toMatchObject({ event_id: '0193b6a1-0000-7000-8000-000000000001', properties: { category: 'Docs' } });
    expect((docs!.context as Record<string, unknown>).segment_extra).toEqual({ batch: { integrations: { All: true } } });
  });

  it('adds no segment_extra when every field found its place, and never keeps the write key', async () => {
    const writer = createMemoryWriter();
    await testApp(writer).request('/v1/identify', post(JSON.stringify({ ...messages.identify, messageId: '0193b6a1-0000-7000-8000-000000000002', writeKey: WRITE_KEY })));
    const [identify] = writer.records.get('events')!.map((r) => decode(r.data));
    expect(identify!.context).not.toHaveProperty('segment_extra');
    expect(JSON.stringify(identify)).not.toContain(WRITE_KEY);
  });

  it('keeps a top-level field named __proto__ or constructor in segment_extra like any other (an assignment would have set the prototype and dropped it)', async () => {
    const writer = createMemoryWriter();
    // Written as JSON text: a JS object literal would set the prototype instead of holding the key.
    const body = '{"anonymousId":"anon-1","event":"x","__proto__":{"channel":"web"},"constructor":{"prototype":{"a":1}}}';
    expect(await (await testApp(writer).request('/v1/track', post(body))).json()).toMatchObject({ accepted: 1 });
    const text = Buffer.from(writer.records.get('events')![0]!.data).toString('utf8');
    const extra = (JSON.parse(text) as { context: { segment_extra: Record<string, unknown> } }).context.segment_extra;
    expect(Object.keys(extra)).toEqual(['__proto__', 'constructor']);
    expect(text).toContain('"segment_extra":{"__proto__":{"channel":"web"},"constructor":{"prototype":{"a":1}}}');
    expect(({} as Record<string, unknown>).channel).toBeUndefined();
  });

  it('gives a resent message the same event id, so duplicates can be removed downstream', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    await app.request('/v1/track', post(JSON.stringify(messages.track)));
    await app.request('/v1/track', post(JSON.stringify(messages.track)));
    const ids = writer.records.get('events')!.map((r) => decode(r.data).event_id);
    expect(ids[0]).toBe(ids[1]);
    // The id's time bits are the message's timestamp.
    expect((ids[0] as string).slice(0, 13)).toBe('01a21224-eea0');
  });

  it('gives a resent message another event id when it has no timestamp (the time bits are then its sentAt), as the README warns', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const untimed = { anonymousId: 'anon-1', event: 'Order Completed', messageId: 'm-untimed' };
    await app.request('/v1/track', post(JSON.stringify({ ...untimed, sentAt: '2026-11-25T09:59:00.000Z' })));
    await app.request('/v1/track', post(JSON.stringify({ ...untimed, sentAt: '2026-11-25T09:59:05.000Z' })));
    const ids = writer.records.get('events')!.map((r) => decode(r.data).event_id as string);
    expect(ids[0]).not.toBe(ids[1]);
    // Only the time bits differ: the rest is the messageId's hash.
    expect(ids[0]!.slice(14)).toBe(ids[1]!.slice(14));
  });

  it('without a messageId: identical messages of one batch are two events, a resent batch keeps its ids, and untimed ones never merge', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const timed = { type: 'track', event: 'Clicked', userId: 'u9', timestamp: ts };
    const untimed = { type: 'track', event: 'Clicked', userId: 'u9' };
    const send = async (batch: unknown[]) => {
      const res = await app.request('/v1/batch', post(JSON.stringify({ batch, sentAt: ts })));
      return ((await res.json()) as BatchResponse).results.map((r) => r.event_id);
    };
    const first = await send([timed, timed]);
    expect(first[0]).not.toBe(first[1]);
    expect(await send([timed, timed])).toEqual(first); // the same batch resent: the same ids, deduplicated downstream
    const loose = [...(await send([untimed, untimed])), ...(await send([untimed, untimed]))];
    expect(new Set(loose).size).toBe(4);
    // Time bits: the message's own timestamp, else the batch's sentAt.
    expect(first[0]!.slice(0, 13)).toBe('01a21224-eea0');
    expect(loose[0]!.slice(0, 13)).toBe('01a21224-eea0');
  });

  it('without a messageId, a resend keeps its id although the client stamped a new sentAt (single route and batch messages)', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const message = { event: 'Clicked', userId: 'u9', timestamp: ts };
    const idOf = async (path: string, body: unknown) => ((await (await app.request(path, post(JSON.stringify(body)))).json()) as BatchResponse).results[0]!.event_id;
    const first = await idOf('/v1/track', { ...message, sentAt: '2026-11-25T10:00:00.000Z' });
    expect(await idOf('/v1/track', { ...message, sentAt: '2026-11-25T10:00:07.000Z', _metadata: { nodeVersion: '20' } })).toBe(first);
    const inBatch = { ...message, type: 'track' };
    const batched = await idOf('/v1/batch', { batch: [{ ...inBatch, sentAt: '2026-11-25T10:00:00.000Z' }] });
    expect(await idOf('/v1/batch', { batch: [{ ...inBatch, sentAt: '2026-11-25T10:00:09.000Z' }] })).toBe(batched);
  });

  it('takes a Segment batch on /v1/batch with the key in the body, and rejects a bad message with its path', async () => {
    const writer = createMemoryWriter();
    const batch = [{ ...messages.track, type: 'track' }, { type: 'identify', anonymousId: 'x' }, { type: 'alias', previousId: 'x' }, { ...messages.track, type: 'track', properties: { af_revenue: 'ten' } }];
    const body = { writeKey: WRITE_KEY, sentAt: ts, batch };
    const res = await testApp(writer).request('/v1/batch', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const out = (await res.json()) as BatchResponse;
    // An identify with only anonymousId is valid (Segment's spec); an alias needs a userId.
    expect(out).toMatchObject({ accepted: 2, rejected: 2 });
    expect(out.results[2]).toMatchObject({ status: 'rejected', issues: [{ path: 'batch[2].userId', code: 'required' }] });
    // What only our schema says is reported on the mapped event.
    expect(out.results[3]).toMatchObject({ status: 'rejected', issues: [{ path: 'events[3].properties.af_revenue', code: 'invalid_type' }] });
    expect(writer.records.get('events-bad')).toHaveLength(2);
  });

  it('answers 503 for any unwritten event (Segment clients read only the status) and 401/400 as usual', async () => {
    const half: RecordWriter = { put: (_s, r) => Promise.resolve({ failed: r.length > 1 ? [1] : [] }), ping: () => Promise.resolve() };
    const batch = { batch: [{ ...messages.track, type: 'track' }, { ...messages.track, type: 'track', messageId: 'other' }] };
    const res = await testApp(half).request('/v1/batch', post(JSON.stringify(batch)));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await testApp(half).request('/v1/track', { method: 'POST', body: '{}', headers: { authorization: basic('nope') } })).status).toBe(401);
    expect((await testApp(half).request('/v1/track', post('[1,2]'))).status).toBe(400);
  });

  it('refuses a sentAt that is not an RFC 3339 date-time with 400 and its path, as the native envelope does with sent_at', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const track = { ...messages.track, type: 'track' };
    for (const sentAt of ['yesterday', '2026-13-01T00:00:00Z', 1764064800000, '']) {
      const onBatch = await app.request('/v1/batch', post(JSON.stringify({ sentAt, batch: [track] })));
      expect(onBatch.status, String(sentAt)).toBe(400);
      const code = typeof sentAt === 'string' ? 'invalid_format' : 'invalid_type';
      expect(await onBatch.json()).toMatchObject({ error: { code: 'invalid_batch', issues: [{ path: 'sentAt', code }] } });
      const single = await app.request('/v1/track', post(JSON.stringify({ ...messages.track, sentAt })));
      expect(single.status, String(sentAt)).toBe(400);
      expect(await single.json()).toMatchObject({ error: { code: 'invalid_message', issues: [{ path: 'sentAt', code }] } });
    }
    expect(writer.records.size).toBe(0);
    // A valid one is stored as every event's sent_at.
    expect((await app.request('/v1/batch', post(JSON.stringify({ sentAt: '2026-11-25T10:00:00+01:00', batch: [track] })))).status).toBe(200);
    expect(decode(writer.records.get('events')![0]!.data)).toMatchObject({ sent_at: '2026-11-25T10:00:00+01:00' });
  });
  it('keeps a message context that is not an object in segment_extra, beside what the batch context left there', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer);
    const res = await app.request('/v1/batch', post(JSON.stringify({ batch: [{ ...messages.track, type: 'track', context: 'from a string' }, { ...messages.track, type: 'track', context: ['a'] }], sentAt: ts })));
    expect(await res.json()).toMatchObject({ accepted: 2 });
    const [first, second] = writer.records.get('events')!.map((r) => decode(r.data).context as Record<string, unknown>);
    expect(first!.segment_extra).toMatchObject({ context: 'from a string' });
    expect(second!.segment_extra).toMatchObject({ context: ['a'] });
    // With a shared context whose page keys have no slot, those stay under `context` and the message's own under `context_sent`.
    const shared = await app.request('/v1/track', post(JSON.stringify({ ...messages.track, context: 7 })));
    expect(await shared.json()).toMatchObject({ accepted: 1 });
    expect((decode(writer.records.get('events')![2]!.data).context as Record<string, unknown>).segment_extra).toMatchObject({ context: 7 });
    const both = await app.request('/v1/batch', post(JSON.stringify({ batch: [{ ...messages.track, type: 'track', context: 'own' }], context: { page: { search: '?q=1' } }, sentAt: ts })));
    expect(await both.json()).toMatchObject({ accepted: 1 });
    expect((decode(writer.records.get('events')![3]!.data).context as Record<string, unknown>).segment_extra).toMatchObject({ context: { page: { search: '?q=1' } }, context_sent: 'own' });
  });

  describe('segment_extra never costs a client its event', () => {
    const limits = { maxEventBytes: 32 * 1024, maxBodyBytes: 256 * 1024 };
    /** Nested `levels` objects deep, a leaf at the bottom. */
    const nested = (levels: number): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < levels; i++) v = { n: v };
      return v;
    };
    const droppedCount = async (app: ReturnType<typeof testApp>, reason: string) => {
      const text = await (await app.request('/metrics')).text();
      return Number(new RegExp(`^eventline_ingest_segment_extra_dropped_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    };

    it('refuses a message over the limit as sent whatever its extras\' share or the User-Agent, and stores one of exactly the limit with its extras whole', async () => {
      const writer = createMemoryWriter();
      const app = testApp(writer, limits);
      const limit = limits.maxEventBytes;
      /** A track message of `size` bytes as sent (compact JSON), `extrasBytes` of them in its integrations. */
      const sized = (size: number, extrasBytes: number) => {
        const m = { ...messages.track, type: 'track', properties: { pad: '' }, integrations: { note: 'i'.repeat(extrasBytes) } };
        m.properties.pad = 'x'.repeat(size - Buffer.byteLength(JSON.stringify(m)));
        expect(Buffer.byteLength(JSON.stringify(m))).toBe(size);
        return m;
      };
      // Before: over the limit, acceptance hung on the server fields (a long User-Agent) and the extras' share.
      for (const userAgent of ['curl/8', 'Mozilla/5.0 '.repeat(85)]) {
        for (const [size, extras] of [[limit + 1, 0], [limit + 1, 3000], [limit + 2500, 3000]] as const) {
          for (const [path, body] of [['/v1/track', sized(size, extras)], ['/v1/batch', { batch: [sized(size, extras)], sentAt: ts }]] as const) {
            const res = await app.request(path, post(JSON.stringify(body), { 'user-agent': userAgent }));
            const answer = (await res.json()) as BatchResponse;
            expect(answer, `${path} ${size} ${extras} ${userAgent.length}`).toMatchObject({ accepted: 0, rejected: 1, results: [{ status: 'rejected', code: 'event_too_large' }] });
            expect(JSON.stringify(answer.results[0])).toContain(`event is ${size} bytes as sent`);
          }
        }
        const res = await app.request('/v1/batch', post(JSON.stringify({ batch: [sized(limit, 3000)], sentAt: ts }), { 'user-agent': userAgent }));
        expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
      }
      expect(writer.records.get('events-bad')).toHaveLength(12);
      // Each bad row holds the message with its extras, as it would have been stored.
      for (const r of writer.records.get('events-bad')!) {
        const extras = (JSON.parse(decode(r.data).payload as string) as { context: { segment_extra: { integrations: { note: string } } } }).context.segment_extra;
        expect(extras.integrations.note.length === 0 || extras.integrations.note.length === 3000).toBe(true);
      }
      const stored = writer.records.get('events')!.map((r) => decode(r.data));
      expect(stored).toHaveLength(2);
      for (const event of stored) expect((event.context as Record<string, unknown>).segment_extra).toMatchObject({ integrations: { note: 'i'.repeat(3000) } });
      expect(await droppedCount(app, 'too_large')).toBe(0);
    });

    it('stores a message nesting 31 levels in integrations (deeper than 32 under segment_extra), marked too_deep', async () => {
      const writer = createMemoryWriter();
      const app = testApp(writer, limits);
      const message = { ...messages.track, integrations: nested(30) };
      const res = await app.request('/v1/track', post(JSON.stringify(message)));
      expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
      const stored = decode(writer.records.get('events')![0]!.data);
      expect((stored.context as Record<string, unknown>).segment_extra).toEqual({ dropped: 'too_deep', bytes: expect.any(Number) as number });
      expect(await droppedCount(app, 'too_deep')).toBe(1);
    });

    it('stores a message whose integrations hold U+0000 (the lake cannot store it) without them, marked unstorable_text', async () => {
      const writer = createMemoryWriter();
      const app = testApp(writer, limits);
      const res = await app.request('/v1/track', post(JSON.stringify({ ...messages.track, integrations: { 'a\u0000b': true } })));
      expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
      const stored = decode(writer.records.get('events')![0]!.data);
      expect((stored.context as Record<string, unknown>).segment_extra).toMatchObject({ dropped: 'unstorable_text' });
      expect(await droppedCount(app, 'unstorable_text')).toBe(1);
    });

    it('still rejects an event too large or too deep without its extras, and changes nothing for a normal one', async () => {
      const writer = createMemoryWriter();
      const app = testApp(writer, limits);
      const big = { ...messages.track, properties: { blob: 'p'.repeat(33 * 1024) }, integrations: { All: true } };
      const deep = { ...messages.track, properties: nested(40), integrations: { All: true } };
      for (const message of [big, deep]) {
        const res = await app.request('/v1/track', post(JSON.stringify(message)));
        expect(await res.json()).toMatchObject({ accepted: 0, rejected: 1 });
      }
      const normal = await app.request('/v1/track', post(JSON.stringify({ ...messages.track, integrations: { All: true } })));
      expect(await normal.json()).toMatchObject({ accepted: 1 });
      const stored = decode(writer.records.get('events')![0]!.data);
      expect((stored.context as Record<string, unknown>).segment_extra).toEqual({ messageId: 'm-track', integrations: { All: true } });
      expect(await droppedCount(app, 'too_large')).toBe(0);
      expect(await droppedCount(app, 'too_deep')).toBe(0);
    });

    it('copies batch-wide fields into each event only up to 1 KiB; larger, each event holds a marker', async () => {
      const writer = createMemoryWriter();
      const app = testApp(writer, limits);
      const integrations = { Big: 'i'.repeat(2000) };
      const res = await app.request('/v1/batch', post(JSON.stringify({ batch: [{ ...messages.track, type: 'track' }, { ...messages.identify, type: 'identify' }], sentAt: ts, integrations })));
      expect(await res.json()).toMatchObject({ accepted: 2 });
      for (const r of writer.records.get('events')!) {
        const extra = (decode(r.data).context as Record<string, unknown>).segment_extra as Record<string, unknown>;
        expect(extra.batch).toEqual({ dropped: 'too_large', bytes: Buffer.byteLength(JSON.stringify({ integrations })) });
      }
    });
  });
});
