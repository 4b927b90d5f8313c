import { describe, expect, it } from 'vitest';
import { createMemoryWriter, type BatchResponse } from '../src';
import { basic, decode, testApp, WRITE_KEY } from './helpers';

/**
 * Requests shaped as analytics.js (@segment/analytics-next 1.84, packages/browser/src/plugins/segmentio)
 * sends them: `${apiHost}/${type.charAt(0)}` per message (fetch-dispatcher.ts) or `${apiHost}/b` for
 * its batching dispatcher (batched-dispatcher.ts), `Content-Type: text/plain`, the write key both in
 * the body (`writeKey`, set by normalize.ts) and as the Basic-auth username, `X-Retry-Count` on a
 * resend. Older 1.x releases sent the key in the body only. The real library in a real browser is in
 * analytics-js.browser.test.ts.
 */
const ts = '2026-11-25T09:59:00.000Z';
const context = {
  page: { path: '/pricing', referrer: '', search: '?utm_source=x', title: 'Pricing', url: 'https://shop.example/pricing?utm_source=x' },
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0',
  userAgentData: { brands: [{ brand: 'Chromium', version: '131' }], mobile: false, platform: 'Linux' },
  locale: 'en-GB',
  library: { name: 'analytics.js', version: 'npm:next-1.84.3' },
  campaign: { source: 'x' },
};
const metadata = { bundled: ['Segment.io'], unbundled: [], bundledIds: [] };

function message(type: string, fields: Record<string, unknown>, n: number): Record<string, unknown> {
  const base = { type, context, integrations: {}, messageId: `ajs-next-${n}-f3b5c0a8e1d2`, timestamp: ts, anonymousId: 'ajs-anon-1', userId: null };
  return { ...base, ...fields, writeKey: WRITE_KEY, sentAt: ts, _metadata: metadata };
}

const messages: Record<string, Record<string, unknown>> = {
  track: message('track', { event: 'Order Completed', properties: { af_revenue: 12 } }, 1),
  identify: message('identify', { traits: { email: 'a@b.example' } }, 2),
  page: message('page', { name: null, category: null, properties: { path: '/pricing', title: 'Pricing', url: 'https://shop.example/pricing' } }, 3),
  screen: message('screen', { name: 'Cart', properties: {} }, 4),
  alias: message('alias', { userId: 'user-1', previousId: 'ajs-anon-1' }, 5),
  group: message('group', { groupId: 'acme', traits: { seats: 3 } }, 6),
};

const textPlain = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'text/plain', origin: 'https://shop.example', ...headers },
});
const allowed = { allowedOrigins: { shop: ['https://shop.example'] } };

describe('analytics.js (analytics-next) request shapes', () => {
  it.each(Object.entries(messages))('POST /v1/<first letter of %s>, text/plain, key in the body and the Authorization header: stored as that type', async (type, body) => {
    for (const headers of [{ authorization: basic(WRITE_KEY) }, {}] as Record<string, string>[]) {
      const writer = createMemoryWriter();
      const res = await testApp(writer, allowed).request(`/v1/${type.charAt(0)}`, textPlain(body, headers));
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
      const stored = decode(writer.records.get('events')![0]!.data);
      expect(stored).toMatchObject({ type, app_id: 'shop', anonymous_id: 'ajs-anon-1', context: { library: { name: 'analytics.js' } } });
      expect(writer.records.get('events-bad')).toBeUndefined();
    }
  });

  it('stores an identify with anonymousId and userId null (traits before sign-up) as an identify without a user id', async () => {
    const writer = createMemoryWriter();
    const res = await testApp(writer, allowed).request('/v1/i', textPlain(messages.identify, { authorization: basic(WRITE_KEY) }));
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const stored = decode(writer.records.get('events')![0]!.data);
    expect(stored).toMatchObject({ type: 'identify', anonymous_id: 'ajs-anon-1', user_id: null, traits: { email: 'a@b.example' } });
  });

  it('POST /v1/b: the batching dispatcher body { writeKey, batch (no sentAt each), sentAt }, with X-Retry-Count on a resend', async () => {
    const writer = createMemoryWriter();
    const batch = Object.values(messages).map((m) => {
      const rest = { ...m };
      delete rest.sentAt;
      return rest;
    });
    const body = { writeKey: WRITE_KEY, batch, sentAt: ts };
    const res = await testApp(writer, allowed).request('/v1/b', textPlain(body, { authorization: basic(WRITE_KEY), 'x-retry-count': '1' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 6, rejected: 0 });
    expect(writer.records.get('events')!.map((r) => decode(r.data).type)).toEqual(['track', 'identify', 'page', 'screen', 'alias', 'group']);
  });

  it('answers the preflight of a resend: Authorization, Content-Type and X-Retry-Count allowed on the short paths', async () => {
    const app = testApp(createMemoryWriter(), allowed);
    for (const path of ['/v1/b', '/v1/t', '/v1/i', '/v1/p', '/v1/s', '/v1/a', '/v1/g']) {
      const preflight = await app.request(path, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-retry-count' },
      });
      expect(preflight.status, path).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      const allowedHeaders = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',');
      expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-retry-count']));
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    }
  });

  it('keeps the long paths, and 404 for a letter that is no type', async () => {
    const app = testApp(createMemoryWriter(), allowed);
    expect((await app.request('/v1/track', textPlain(messages.track))).status).toBe(200);
    expect((await app.request('/v1/batch', textPlain({ writeKey: WRITE_KEY, batch: [messages.track] }))).status).toBe(200);
    const missing = await app.request('/v1/x', textPlain(messages.track));
    expect(missing.status).toBe(404);
    // Its usage metrics (`/m`): a 404 the page can read (the CORS headers of every /v1/* answer to an allowed origin).
    const usage = await app.request('/v1/m', textPlain({ series: [] }));
    expect(usage.status).toBe(404);
    expect(((await usage.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(usage.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });
});

describe("Segment's own rules, refused with the Segment field's path", () => {
  it('needs userId or anonymousId on every type, userId and previousId on an alias, event on a track, groupId on a group', async () => {
    const writer = createMemoryWriter();
    const batch = [
      { type: 'track', event: 'No Ids', userId: null, anonymousId: '' },
      { type: 'alias', userId: 'user-1', anonymousId: 'anon-1' },
      { type: 'identify', anonymousId: 'anon-1', userId: null, traits: { plan: 'pro' } },
      { type: 'group', anonymousId: 'anon-1', traits: {} },
      { type: 'track', userId: 'user-1' },
      { type: 'alias', previousId: 'anon-1' },
      { type: 'page', userId: 'user-1' },
    ];
    const res = await testApp(writer, allowed).request('/v1/batch', textPlain({ writeKey: WRITE_KEY, sentAt: ts, batch }));
    expect(res.status).toBe(200);
    const out = (await res.json()) as BatchResponse;
    expect(out).toMatchObject({ accepted: 2, rejected: 5 });
    const issues = out.results.map((r) => (r.status === 'rejected' ? r.issues.map((i) => `${i.path}: ${i.message}`) : r.status));
    expect(issues).toEqual([
      ['batch[0].anonymousId: userId or anonymousId is required'],
      ['batch[1].previousId: required for type "alias"'],
      'accepted',
      ['batch[3].groupId: required for type "group"'],
      ['batch[4].event: required for type "track"'],
      ['batch[5].userId: required for type "alias"'],
      'accepted',
    ]);
    // Each refusal is a bad row that says why, with the mapped event as its payload.
    const bad = writer.records.get('events-bad')!.map((r) => decode(r.data));
    expect(bad.map((b) => (b.issues as { path: string }[])[0]!.path)).toEqual(['batch[0].anonymousId', 'batch[1].previousId', 'batch[3].groupId', 'batch[4].event', 'batch[5].userId']);
    expect(bad[0]).toMatchObject({ error_type: 'invalid_event', app_id: 'shop' });
  });

  it('names the bare field on a single-message route', async () => {
    const writer = createMemoryWriter();
    const res = await testApp(writer, allowed).request('/v1/a', textPlain({ writeKey: WRITE_KEY, previousId: 'anon-1' }));
    expect(res.status).toBe(200);
    const out = (await res.json()) as BatchResponse;
    expect(out.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_event', issues: [{ path: 'userId', code: 'required', message: 'required for type "alias"' }] });
    const none = await testApp(writer, allowed).request('/v1/identify', textPlain({ writeKey: WRITE_KEY, traits: { plan: 'pro' } }));
    expect(((await none.json()) as BatchResponse).results[0]).toMatchObject({ status: 'rejected', issues: [{ path: 'anonymousId', message: 'userId or anonymousId is required' }] });
  });
});
