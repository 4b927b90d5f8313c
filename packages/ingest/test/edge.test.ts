import { describe, expect, it } from 'vitest';
import { anonymizeIp, compileOrigins, createMemoryWriter, derivedTimestamp, parseAllowedOrigins, type ServerContext } from '../src';
import { tokenBuckets } from '../src/middleware/token-buckets';
import { basic, batch, decode, event, post, testApp, WRITE_KEY } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const origins = { shop: ['https://shop.example', 'http://127.0.0.1:*'] };

describe('origins and CORS', () => {
  it('matches exact origins, any-port and subdomain patterns, and *', () => {
    const match = compileOrigins(['https://shop.example', 'http://127.0.0.1:*', 'https://*.cdn.example']);
    expect(['https://shop.example', 'http://127.0.0.1:5173', 'https://a.b.cdn.example'].map(match)).toEqual([true, true, true]);
    expect(['http://shop.example', 'https://shop.example.evil', 'http://127.0.0.1.evil:80', 'https://cdn.example'].map(match)).toEqual([false, false, false, false]);
    expect(compileOrigins(['*'])('https://anything.example')).toBe(true);
    expect(() => parseAllowedOrigins('shop=ftp://x', ['shop'])).toThrow(/origin pattern/);
    // What an operator writes that no browser's Origin can equal: refused with what to write instead.
    expect(() => parseAllowedOrigins('shop=https://shop.example/', ['shop'])).toThrow('browsers send "https://shop.example"');
    expect(() => parseAllowedOrigins('shop=https://shop.example/checkout', ['shop'])).toThrow('browsers send "https://shop.example"');
    expect(() => parseAllowedOrigins('shop=https://bücher.example', ['shop'])).toThrow('browsers send "https://xn--bcher-kva.example"');
    expect(() => parseAllowedOrigins('shop=https://shop.example:443', ['shop'])).toThrow('write "https://shop.example"');
    expect(() => parseAllowedOrigins('shop=http://shop.example:80', ['shop'])).toThrow('write "http://shop.example"');
    expect(parseAllowedOrigins('shop=https://shop.example:8443|http://shop.example:8080', ['shop'])).toEqual({ shop: ['https://shop.example:8443', 'http://shop.example:8080'] });
    expect(() => parseAllowedOrigins('other=*', ['shop'])).toThrow(/app_id in INGEST_WRITE_KEYS/);
  });

  it('accepts an allowed origin, refuses a foreign one with 403, and lets origin-less (server) clients through', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { allowedOrigins: origins });
    const ok = await app.request('/v1/batch', post(batch([event()]), { origin: 'http://127.0.0.1:41234' }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:41234');
    const foreign = await app.request('/v1/batch', post(batch([event()]), { origin: 'https://evil.example' }));
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(200);
    expect(writer.records.get('events')).toHaveLength(2);
  });

  it('fails closed: an app with no configured origins accepts no browser origin', async () => {
    const res = await testApp(createMemoryWriter()).request('/v1/batch', post(batch([event()]), { origin: 'https://shop.example' }));
    expect(res.status).toBe(403);
  });

  it('answers the preflight with the origin echoed and a cache lifetime, and without it for a foreign origin', async () => {
    const app = testApp(createMemoryWriter(), { allowedOrigins: origins });
    const preflight = (origin: string) =>
      app.request('/v1/batch', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,content-encoding' },
      });
    const ok = await preflight('https://shop.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-encoding');
    expect(ok.headers.get('access-control-max-age')).toBe('600');
    expect(ok.headers.get('vary')?.toLowerCase()).toContain('origin');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a key has spent its burst, and recovers as the bucket refills', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, { rateLimitPerSecond: 1, rateLimitBurst: 2 });
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(200);
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(200);
    const limited = await app.request('/v1/batch', post(batch([event()])));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(writer.records.get('events')).toHaveLength(2);
  });

  it('holds a client address to its own share, ahead of the key check and the body: an IPv6 /64 is one client, other clients are served', async () => {
    const writer = createMemoryWriter();
    let peer = '203.0.113.7';
    const app = testApp(writer, { clientRateLimitPerSecond: 1, clientRateLimitBurst: 2 }, { clientIp: () => peer });
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(200);
    // A bad key spends the client's share too (checked before the key).
    expect((await app.request('/v1/batch', post(batch([event()]), { authorization: basic('wk_unknown') }))).status).toBe(401);
    const limited = await app.request('/v1/batch', post(batch([event()])));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ error: { code: 'client_rate_limited', message: expect.stringContaining('this client address is over 1 requests/s') as unknown } });
    // The key's own limit is not what refused it: another client with the same key is served.
    peer = '203.0.113.8';
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(200);
    // IPv6: the same /64 however the host part and the spelling change; IPv4-mapped IPv6 is the IPv4 client.
    for (const ip of ['2001:db8:1:2::1', '2001:0db8:0001:0002:ffff::9']) {
      peer = ip;
      expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(200);
    }
    peer = '2001:db8:1:2:abcd::42';
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(429);
    peer = '2001:db8:1:3::1';
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(200);
    peer = '::ffff:203.0.113.7';
    expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(429);
    expect(writer.records.get('events')).toHaveLength(5);
  });

  it('keeps a bucket for at most MAX_CLIENT_BUCKETS client addresses, the least recently seen going first', () => {
    let t = 0;
    const take = tokenBuckets({ perSecond: 1, burst: 1, maxKeys: 2, now: () => t });
    expect([take('a'), take('b'), take('a')]).toEqual([undefined, undefined, 1]);
    // 'c' pushes out 'b' (least recently used), not 'a': 'a' is still empty, 'b' starts full again.
    expect([take('c'), take('a'), take('b')]).toEqual([undefined, 1, undefined]);
    t = 1000;
    expect(take('a')).toBeUndefined();
  });
});

describe('enrichment', () => {
  it('anonymises IPv4 to /24 and IPv6 to /48, IPv4-mapped as IPv4', () => {
    expect(anonymizeIp('203.0.113.77')).toBe('203.0.113.0');
    expect(anonymizeIp('::ffff:198.51.100.9')).toBe('198.51.100.0');
    expect(anonymizeIp('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd::');
    expect(anonymizeIp('2001:db8::1')).toBe('2001:db8:0::');
    expect(anonymizeIp('not-an-ip')).toBeUndefined();
  });

  it('corrects the device clock skew: received_at − (sent_at − client_ts)', () => {
    const received = new Date('2026-11-25T10:00:00.000Z');
    // The device clock is an hour fast; the event waited 30 s on the device before being sent.
    expect(derivedTimestamp('2026-11-25T11:00:00.000Z', '2026-11-25T11:00:30.000Z', received)).toBe('2026-11-25T09:59:30.000Z');
    expect(derivedTimestamp('2026-11-25T11:00:30.000Z', '2026-11-25T11:00:00.000Z', received)).toBe(received.toISOString());
  });

  it('stores the server block (request id, derived_ts, anonymised IP, user agent) and overwrites a forged one', async () => {
    const writer = createMemoryWriter();
    const app = testApp(writer, {}, { clientIp: () => '203.0.113.77' });
    const forged = event({ context: { library: { name: 't', version: '1' }, server: { ip: '1.2.3.4', request_id: 'mine' } } });
    const res = await app.request('/v1/batch', post(batch([forged]), { 'user-agent': 'Mozilla/5.0 test', 'x-request-id': 'req-abc' }));
    expect(res.status).toBe(200);
    const stored = decode(writer.records.get('events')![0]!.data) as { context: { server: ServerContext } };
    const requestId = ((await res.json()) as { request_id: string }).request_id;
    expect(requestId).toMatch(UUID);
    expect(stored.context.server).toEqual({ request_id: requestId, derived_ts: expect.any(String) as string, ip: '203.0.113.0', user_agent: 'Mozilla/5.0 test' });
    const full = createMemoryWriter();
    await testApp(full, { ipMode: 'none' }, { clientIp: () => '203.0.113.77' }).request('/v1/batch', post(batch([event()])));
    expect((decode(full.records.get('events')![0]!.data) as { context: { server: ServerContext } }).context.server.ip).toBeUndefined();
  });

  it('drops a client-sent context.ip whatever INGEST_IP says, from stored events and bad rows alike', async () => {
    for (const ipMode of ['anonymize', 'full', 'none'] as const) {
      const writer = createMemoryWriter();
      const app = testApp(writer, { ipMode }, { clientIp: () => '203.0.113.77' });
      const context = { library: { name: 't', version: '1' }, ip: '198.51.100.23' };
      const res = await app.request('/v1/batch', post(batch([event({ context }), event({ context, seq: -1 })])));
      expect(await res.json()).toMatchObject({ accepted: 1, rejected: 1 });
      const stored = decode(writer.records.get('events')![0]!.data) as { context: Record<string, unknown> & { server: ServerContext } };
      expect(stored.context.ip, ipMode).toBeUndefined();
      expect(stored.context.server.ip, ipMode).toBe({ anonymize: '203.0.113.0', full: '203.0.113.77', none: undefined }[ipMode]);
      expect(Buffer.from(writer.records.get('events-bad')![0]!.data).toString('utf8'), ipMode).not.toContain('198.51.100.23');
    }
  });
});

describe('request id', () => {
  it("is always the ingest's own: a client's X-Request-Id is not the stored id, the answer's, nor a bad row's partition key", async () => {
    const writer = createMemoryWriter();
    const forged = 'chosen-by-client';
    const noId = { ...event(), event_id: undefined };
    const res = await testApp(writer).request('/v1/batch', post(batch([event(), noId]), { 'x-request-id': forged }));
    const body = (await res.json()) as { request_id: string; rejected: number };
    expect(body.rejected).toBe(1);
    expect(body.request_id).toMatch(UUID);
    expect(res.headers.get('x-request-id')).toBe(body.request_id);
    const stored = decode(writer.records.get('events')![0]!.data) as { context: { server: ServerContext } };
    expect(stored.context.server.request_id).toBe(body.request_id);
    const badRow = writer.records.get('events-bad')![0]!;
    expect(badRow.partitionKey).toBe(body.request_id);
    expect(decode(badRow.data)).toMatchObject({ request_id: body.request_id });
  });

  it("a rejected event's long id is cut at 64 units for the answer and the bad row's partition key, never inside a surrogate pair", async () => {
    const writer = createMemoryWriter();
    // Not a UUIDv7 (rejected); its emoji straddles the 64th unit: a plain cut left half of it.
    const long = { ...event(), event_id: `${'x'.repeat(63)}😀 and more` };
    const res = await testApp(writer).request('/v1/batch', post(batch([long])));
    const body = (await res.json()) as { results: { event_id: string; status: string }[] };
    expect(body.results).toMatchObject([{ event_id: 'x'.repeat(63), status: 'rejected' }]);
    expect(writer.records.get('events-bad')![0]!.partitionKey).toBe('x'.repeat(63));
  });

  it("a rejected event's id holding U+0000 or a lone surrogate is not its bad row's partition key: the request id is", async () => {
    const writer = createMemoryWriter();
    const res = await testApp(writer).request('/v1/batch', post(batch([{ ...event(), event_id: 'a\u0000b' }, { ...event(), event_id: 'c\ud800d' }, { ...event(), event_id: 'plain-but-bad' }])));
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    // The processor copies the key into the lake's bad row, where such text cannot be read back.
    expect(writer.records.get('events-bad')!.map((r) => r.partitionKey)).toEqual([requestId, requestId, 'plain-but-bad']);
  });
});

describe('logs', () => {
  it('log failed requests and unwritten events with the request id, never the IP or the write key', async () => {
    const lines: Record<string, unknown>[] = [];
    const down = { put: (_s: string, r: unknown[]) => Promise.resolve({ failed: r.map((_, i) => i), lastError: 'InternalFailure' }), ping: () => Promise.resolve() };
    const app = testApp(down, {}, { clientIp: () => '203.0.113.77', log: (r) => lines.push(r) });
    const down503 = await app.request('/v1/batch', post(batch([event()]), { 'x-request-id': 'proxy-trace-1' }));
    const id = down503.headers.get('x-request-id');
    await app.request('/v1/batch', post(batch([event()]), { authorization: 'Basic ' + Buffer.from('secret-wk:').toString('base64') }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'events not written', request_id: id, error: 'InternalFailure' }));
    // A proxy's X-Request-Id is logged beside the ingest's own id, never instead of it.
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', request_id: id, upstream_request_id: 'proxy-trace-1', status: 503, route: '/v1/batch', app_id: 'shop' }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', status: 401 }));
    const text = JSON.stringify(lines);
    expect(text).not.toContain('203.0.113');
    expect(text).not.toContain('secret-wk');
    expect(text).not.toContain(WRITE_KEY);
  });

  it('every error answer carries its own request id, the same as its X-Request-Id header, 413 and 404 included', async () => {
    const down = { ...createMemoryWriter(), health: () => ({ ok: false, reason: 'test' }) };
    // Two requests get through the rate limit (the 400 and the 415), the next one is refused.
    const app = testApp(down, { maxBodyBytes: 1024, rateLimitPerSecond: 0.01, rateLimitBurst: 2, allowedOrigins: origins });
    const cases: [string, RequestInit, number][] = [
      ['/v1/batch', post('x'.repeat(2048)), 413],
      ['/v1/batch', post(batch([event()]), { 'content-length': '999999' }), 413],
      ['/v1/nope', post('{}'), 404],
      ['/v1/batch', post('{}', { authorization: '' }), 401],
      ['/v1/batch', post('{}', { origin: 'https://evil.example' }), 403],
      ['/v1/batch', post('{'), 400],
      ['/v1/batch', post('{}', { 'content-encoding': 'br' }), 415],
      ['/v1/batch', post('{}'), 429],
      ['/readyz', {}, 503],
    ];
    for (const [i, [path, init, status]] of cases.entries()) {
      // A client's X-Request-Id is not adopted: the answer carries the ingest's own id.
      const res = await app.request(path, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-request-id': `req-err-${i}` } });
      expect(res.status, path).toBe(status);
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(UUID);
      // An oversized body is read only up to a cap, so its connection cannot be reused.
      if (status === 413) expect(res.headers.get('connection')).toBe('close');
      expect(await res.json(), `${status}`).toMatchObject({ request_id: id, error: { code: expect.any(String) as string, message: expect.any(String) as string } });
    }
  });
});
