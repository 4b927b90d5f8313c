import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { basic } from './helpers';
import { segmentClientsHarness } from './segment-clients-harness';

/**
 * What Segment's other libraries send, written from their public source (request code, event classes,
 * context plugins) since they cannot run here: analytics-kotlin (Android), analytics-python,
 * analytics-go, the legacy analytics-android and analytics-react-native, each posted the way the library
 * posts it to the real Node entry, read back from kinesalite. The six others: segment-clients-more.integration.test.ts.
 */
const KEY = 'seg_clients_key';
const h = segmentClientsHarness(KEY, 'segclients');
const storedBy = (library: string) => h.storedBy(library);

describe("Segment's mobile and server libraries, as they send, against the real ingest and Kinesis", () => {
  it('analytics-kotlin: gzip text/plain streamed (chunked) to /v1/b, write key only in the body; screen("") and the Android context land whole', async () => {
    const context = {
      app: { name: 'Shop', version: '3.1.0', namespace: 'com.shop', build: '310' },
      device: { id: 'f2c1', manufacturer: 'Google', model: 'Pixel 8', name: 'shiba', type: 'android' },
      library: { name: 'analytics-kotlin', version: '1.19.1' },
      os: { name: 'Android', version: '14' },
      screen: { density: 2.625, height: 2205, width: 1080 },
      network: { wifi: true, cellular: false, bluetooth: false },
      locale: 'de-DE', timezone: 'Europe/Berlin', userAgent: 'Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8)', instanceId: '9a1b',
    };
    // Instant.toString(): microseconds; messageId a UUIDv4; a blank userId is left out by the library.
    const base = { anonymousId: 'kt-anon', integrations: {}, context, timestamp: '2026-11-26T08:15:30.123456Z' };
    const batch = [
      { ...base, type: 'track', event: 'Product Added', properties: { sku: 'A-1', price: 9.5 }, messageId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' },
      { ...base, type: 'screen', name: '', category: '', properties: {}, messageId: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b' },
      { ...base, type: 'identify', userId: 'kt-user', traits: { plan: 'pro' }, messageId: '2c5ea4c0-4067-41fa-8e2a-3f1d2c5b6a7e' },
    ];
    const body = gzipSync(Buffer.from(JSON.stringify({ batch, sentAt: '2026-11-26T08:15:31.500Z', writeKey: KEY })));
    // HttpURLConnection with setChunkedStreamingMode(0): no Content-Length.
    const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array(body)), c.close()) });
    const res = await fetch(`${h.url}/v1/b`, { method: 'POST', headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'user-agent': 'analytics-kotlin/1.19.1' }, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const events = await storedBy('analytics-kotlin');
    expect(events.map((e) => [e.type, e.event ?? null])).toEqual([['track', 'Product Added'], ['screen', null], ['identify', null]]);
    expect(events[0]).toMatchObject({ app_id: 'segclients', anonymous_id: 'kt-anon', client_ts: '2026-11-26T08:15:30.123456Z', properties: { sku: 'A-1' } });
    expect(events[0]!.context).toMatchObject({ screen: context.screen, locale: 'de-DE', app: context.app, device: context.device, os: context.os, network: context.network, user_agent: context.userAgent });
    expect(events[1]!.context).toMatchObject({ segment_extra: { name: '' } });
    expect(events[2]).toMatchObject({ user_id: 'kt-user', traits: { plan: 'pro' } });
  });

  it('analytics-python: /v1/batch with Basic auth, isoformat() times with microseconds and +00:00, null ids, page name and category', async () => {
    const ctx = { library: { name: 'analytics-python', version: '2.3.4' } };
    const common = { context: ctx, integrations: {}, timestamp: '2026-11-26T08:20:00.654321+00:00' };
    const batch = [
      { ...common, type: 'track', userId: 'py-user', anonymousId: null, event: 'Invoice Paid', properties: { amount: 120, paid_at: '2026-11-26T08:19:59.100000+00:00' }, messageId: 'b2f7c2a0-3f0e-4c55-9d7f-5b3fcb5a1e11' },
      { ...common, type: 'page', userId: 'py-user', anonymousId: null, name: null, category: null, properties: {}, messageId: '0d1c7f36-6a55-4c2b-8c16-bb1f3e1c9a22' },
      { ...common, type: 'group', userId: 'py-user', anonymousId: null, groupId: 42, traits: { name: 'Acme', employees: 120 }, messageId: 'c0ffee00-1234-4abc-8def-0123456789ab' },
    ];
    const res = await fetch(`${h.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'analytics-python/2.3.4', authorization: basic(KEY) }, body: JSON.stringify({ batch, sentAt: '2026-11-26T08:20:01.000123+00:00', writeKey: KEY }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const events = await storedBy('analytics-python');
    expect(events.map((e) => e.type)).toEqual(['track', 'page', 'group']);
    expect(events[0]).toMatchObject({ user_id: 'py-user', anonymous_id: 'py-user', event: 'Invoice Paid', client_ts: common.timestamp, sent_at: '2026-11-26T08:20:01.000123+00:00' });
    expect(events[1]!.event).toBeUndefined();
    expect(events[2]).toMatchObject({ group_id: '42', traits: { name: 'Acme', employees: 120 } });
    // With OAuth it sends a Bearer token instead of Basic auth; the writeKey it always puts in the body is used.
    const oauth = { ...batch[0], messageId: 'e3f1a2b4-5c6d-4e7f-8a9b-0c1d2e3f4a5b', event: 'OAuth Sent' };
    const bearer = await fetch(`${h.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig' }, body: JSON.stringify({ batch: [oauth], sentAt: '2026-11-26T08:20:02.000001+00:00', writeKey: KEY }) });
    expect(bearer.status).toBe(200);
    expect((await storedBy('analytics-python')).map((e) => e.event ?? null)).toEqual(['Invoice Paid', null, null, 'OAuth Sent']);
  });

  it('analytics-go: a batch with its own messageId and context, RFC 3339 nano times, a screen with only the width set', async () => {
    const batch = [
      {
        type: 'track', messageId: 'd5ec1b67-3bd8-4f6b-a1c2-7d8e9f0a1b2c', userId: 'go-user', event: 'Job Finished', timestamp: '2026-11-26T08:30:00.123456789Z',
        properties: { seconds: 3.25 }, context: { library: { name: 'analytics-go', version: '3.3.0' }, screen: { width: 1920 }, ip: '198.51.100.7' },
      },
    ];
    const body = { messageId: 'a7c3e0f2-5b1d-4e8a-9c6f-0d2e4f6a8b0c', sentAt: '2026-11-26T08:30:01.987654321Z', batch, context: { library: { name: 'analytics-go', version: '3.3.0' } } };
    const res = await fetch(`${h.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'analytics-go (version: 3.3.0)', authorization: basic(KEY) }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const [job] = await storedBy('analytics-go');
    expect(job).toMatchObject({ event: 'Job Finished', user_id: 'go-user', client_ts: '2026-11-26T08:30:00.123456789Z' });
    const context = job!.context as Record<string, unknown>;
    expect(context.screen).toBeUndefined();
    expect(context.ip).toBeUndefined();
    expect(context.segment_extra).toMatchObject({ context: { screen: { width: 1920 } }, batch: { messageId: body.messageId } });
    expect(await h.badRows()).toEqual([]);
  });

  it('the legacy analytics-android (4.x): gzip JSON streamed to /v1/import with Basic auth, a mobile screen and context.traits', async () => {
    const context = {
      app: { name: 'Shop', version: '2.0', namespace: 'com.shop', build: '20' },
      device: { id: 'legacy-1', manufacturer: 'samsung', model: 'SM-G991B', name: 'o1s' },
      library: { name: 'analytics-android', version: '4.11.3' },
      locale: 'en-US', network: { wifi: true, carrier: 'T-Mobile' }, os: { name: 'Android', version: '13' },
      screen: { density: 3, width: 1080, height: 2400 }, timezone: 'America/New_York', traits: { anonymousId: 'and-anon' },
      userAgent: 'Dalvik/2.1.0 (Linux; U; Android 13; SM-G991B)',
    };
    const batch = [
      { type: 'screen', name: 'Home', channel: 'mobile', anonymousId: 'and-anon', messageId: 'b1ab5f1c-0b8e-4f7e-b3a9-6c4d5e6f7a8b', timestamp: '2026-11-26T08:40:00.123Z', integrations: {}, context, properties: { name: 'Home' } },
    ];
    const body = gzipSync(Buffer.from(JSON.stringify({ batch, sentAt: '2026-11-26T08:40:02.456Z' })));
    const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array(body)), c.close()) });
    const res = await fetch(`${h.url}/v1/import`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: basic(KEY) }, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const [screen] = await storedBy('analytics-android');
    expect(screen).toMatchObject({ type: 'screen', event: 'Home', anonymous_id: 'and-anon' });
    expect(screen!.context).toMatchObject({ screen: context.screen, traits: { anonymousId: 'and-anon' }, network: context.network, segment_extra: { channel: 'mobile' } });
  });
  it('analytics-react-native: an offline backlog of 1000 messages (its default maxBatchSize) as JSON to /v1/b lands whole, in order', async () => {
    // Segment bounds a batch by bytes, not count: a 413 here made that library resend the same 1000 forever.
    const context = { library: { name: 'analytics-react-native', version: '2.20.0' }, app: { name: 'Shop', version: '1.0', build: '1' }, os: { name: 'iOS', version: '17.1' } };
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      type: 'track', event: 'Backlog Item', anonymousId: 'rn-anon', properties: { n: i }, context, integrations: {},
      messageId: `rn-${String(i).padStart(4, '0')}`, timestamp: new Date(Date.UTC(2026, 10, 26, 9, 0, 0, i)).toISOString(),
    }));
    const res = await fetch(`${h.url}/v1/b`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ batch, sentAt: '2026-11-26T09:05:00.000Z', writeKey: KEY }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1000, rejected: 0, retry: 0 });
    const events = await storedBy('analytics-react-native');
    expect(events.map((e) => (e.properties as { n: number }).n)).toEqual(batch.map((_, i) => i));
  });
});
