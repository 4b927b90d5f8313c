import type { ClientBatch } from '@eventline/schemas';
import { HttpResponse } from 'msw';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { acceptAll, ENDPOINT, fixedJitter, ingestSuite, record } from './support';

const { ingest, clients } = ingestSuite();

describe('retry with full-jitter backoff', () => {
  it('waits a uniform draw in [0, base·2^(n-1)], capped at retryMaxMs', async () => {
    ingest.reply(() => HttpResponse.json({}, { status: 500 }));
    const client = clients.create({ retryBaseMs: 1000, retryMaxMs: 3000 }, { randomBytes: fixedJitter(0.5) });
    const notices = record(client);
    client.track('a');
    for (let i = 0; i < 4; i++) await client.flush();
    expect(notices.error.map((e) => e.retryInMs)).toEqual([500, 1000, 1500, 1500]);
  });

  it('honours Retry-After as a floor', async () => {
    ingest.reply(() => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } }));
    const client = clients.create({ retryBaseMs: 1000 }, { randomBytes: fixedJitter(0.1) });
    const notices = record(client);
    client.track('a');
    await client.flush();
    expect(notices.error[0]).toMatchObject({ status: 429, retryAfterMs: 7000, retryInMs: 7000 });
  });

  it('waits out a Retry-After longer than a timer holds instead of retrying at once', async () => {
    // 2,147,484 s is just past setTimeout's 2^31-1 ms: uncapped, the timer fires at once, and again.
    ingest.reply(() => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '2147484' } }));
    const client = clients.create({ retryBaseMs: 20, retryMaxMs: 20 });
    const notices = record(client);
    client.track('a');
    await client.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(notices.error[0]).toMatchObject({ status: 503, retryAfterMs: 2_147_484_000 });
    expect(ingest.received).toHaveLength(1);
  });

  it('retries on its own after a failure and stops once delivered', async () => {
    ingest.reply((body, call) => (call === 1 ? HttpResponse.json({}, { status: 503 }) : acceptAll(body)));
    const client = clients.create({ retryBaseMs: 20, retryMaxMs: 20 });
    client.track('a');
    await client.flush();
    await vi.waitFor(() => expect(ingest.received).toHaveLength(2));
    expect(ingest.events().map((e) => e.event)).toEqual(['a', 'a']);
  });

  it.each([408, 425, 429, 500, 502, 503])('keeps the events on %i', async (status) => {
    ingest.reply(() => HttpResponse.json({}, { status }));
    const client = clients.create({ retryBaseMs: 60_000 });
    const notices = record(client);
    client.track('a');
    await client.flush();
    expect(notices.drop).toEqual([]);
    expect(notices.error[0]).toMatchObject({ status, queued: 1 });
  });

  it('retries at once when the platform says the network is back', async () => {
    let fire: (e: 'online') => void = () => undefined;
    ingest.reply((body, call) => (call === 1 ? HttpResponse.json({}, { status: 503 }) : acceptAll(body)));
    const client = clients.create({ retryBaseMs: 600_000 }, { lifecycle: (l) => ((fire = l), () => undefined) });
    client.track('a');
    await client.flush();
    expect(ingest.received).toHaveLength(1);
    fire('online');
    await vi.waitFor(() => expect(ingest.received).toHaveLength(2));
  });
});

/** A 200 whose results answer `retry` for every event (the ingest could not take them now). */
function retryAll(body: ClientBatch, headers: Record<string, string> = {}): Response {
  return HttpResponse.json({ results: body.events.map((e) => ({ event_id: e.event_id, status: 'retry' })) }, { headers });
}

describe("events a 200 answers 'retry' for", () => {
  it('back off like a failed request (Retry-After honoured): track() does not re-send them every call', async () => {
    ingest.reply((body, call) => (call === 1 ? retryAll(body, { 'Retry-After': '1' }) : acceptAll(body)));
    const client = clients.create({ flushAt: 5, retryBaseMs: 20, retryMaxMs: 20 });
    const notices = record(client);
    await client.getDeviceId();
    for (let i = 0; i < 5; i++) client.track('throttled', { i });
    await vi.waitFor(() => expect(ingest.received).toHaveLength(1));
    // The five wait out the backoff; each track() meanwhile used to send them all again at once.
    for (let i = 0; i < 20; i++) {
      client.track('meanwhile', { i });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(ingest.received).toHaveLength(1);
    expect(notices.sent).toMatchObject([{ status: 200, accepted: 0, retry: 5 }]);
    expect(notices.error).toMatchObject([{ status: 200, retryAfterMs: 1000, retryInMs: 1000, queued: 5 }]);
    // After the Retry-After, one request carries the five and what was tracked meanwhile.
    await vi.waitFor(() => expect(ingest.received).toHaveLength(2), { timeout: 3000 });
    expect(ingest.received[1]?.body.events.map((e) => e.event)).toEqual([...Array<string>(5).fill('throttled'), ...Array<string>(20).fill('meanwhile')]);
    expect(ingest.received[1]?.body.events.slice(0, 5).map((e) => e.event_id)).toEqual(ingest.received[0]?.body.events.map((e) => e.event_id));
  });

  it('the backoff grows with each 200 that still answers retry (the failure count is not reset), and a clean answer resets it', async () => {
    ingest.reply((body) => retryAll(body));
    const client = clients.create({ retryBaseMs: 1000, retryMaxMs: 60_000 }, { randomBytes: fixedJitter(0.5) });
    const notices = record(client);
    client.track('a');
    for (let i = 0; i < 3; i++) await client.flush();
    expect(notices.error.map((e) => e.retryInMs)).toEqual([500, 1000, 2000]);
    ingest.reply(acceptAll);
    await client.flush();
    ingest.reply((body) => retryAll(body));
    client.track('b');
    await client.flush();
    expect(notices.error.map((e) => e.retryInMs)).toEqual([500, 1000, 2000, 500]);
  });

  it('a 200 that took some events (a throttled partition) restarts the backoff at its first step instead of escalating it', async () => {
    // Each answer takes the first event it is sent and asks for the rest again.
    ingest.reply((body) => HttpResponse.json({ results: body.events.map((e, i) => ({ event_id: e.event_id, status: i === 0 ? 'accepted' : 'retry' })) }));
    const client = clients.create({ retryBaseMs: 1000, retryMaxMs: 60_000 }, { randomBytes: fixedJitter(0.5) });
    const notices = record(client);
    for (const name of ['a', 'b', 'c', 'd']) client.track(name);
    for (let i = 0; i < 3; i++) await client.flush();
    expect(notices.error.map((e) => e.retryInMs)).toEqual([500, 500, 500]);
    expect(ingest.received.map((r) => r.body.events.length)).toEqual([4, 3, 2]);
  });

  it('accepted and rejected events of the same answer leave the queue; only the retry ones back off', async () => {
    ingest.reply((body) =>
      HttpResponse.json({
        results: body.events.map((e) => ({ event_id: e.event_id, status: e.event === 'later' ? 'retry' : e.event === 'bad' ? 'rejected' : 'accepted' })),
      }),
    );
    const client = clients.create({ retryBaseMs: 60_000 });
    const notices = record(client);
    for (const name of ['good', 'bad', 'later']) client.track(name);
    await client.flush();
    expect(notices.sent).toMatchObject([{ accepted: 1, rejected: 1, retry: 1 }]);
    expect(notices.drop.map((d) => [d.reason, d.events.map((e) => e.event)])).toEqual([['rejected', ['bad']]]);
    expect(notices.error).toMatchObject([{ status: 200, queued: 1 }]);
    ingest.reply(acceptAll);
    await client.flush(); // an explicit flush still sends at once
    expect(ingest.received[1]?.body.events.map((e) => e.event)).toEqual(['later']);
  });
});

describe('413 splits the batch', () => {
  it('halves until the ingest takes it; an event too big alone is dropped', async () => {
    ingest.reply((body) => {
      const tooBig = body.events.some((e) => e.event === 'huge');
      return body.events.length > 2 || (tooBig && body.events.length > 0) ? new HttpResponse(null, { status: 413 }) : acceptAll(body);
    });
    const client = clients.create({ flushAt: 1000 });
    const notices = record(client);
    for (const name of ['a', 'b', 'c', 'huge', 'd', 'e']) client.track(name);
    await client.flush();
    const accepted = ingest.received.filter((r) => !r.body.events.some((e) => e.event === 'huge') && r.body.events.length <= 2);
    expect(accepted.flatMap((r) => r.body.events.map((e) => e.event)).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(notices.drop.map((d) => [d.reason, d.events.map((e) => e.event)])).toEqual([['too_large', ['huge']]]);
  });
});

describe('gzip (the default where CompressionStream exists)', () => {
  it('sends Content-Encoding: gzip with a body that inflates to the batch', async () => {
    const raw: { encoding: string | null; body: ClientBatch }[] = [];
    const { http } = await import('msw');
    ingest.server.use(
      http.post(`${ENDPOINT}/v1/batch`, async ({ request }) => {
        const bytes = Buffer.from(await request.arrayBuffer());
        const body = JSON.parse(gunzipSync(bytes).toString('utf8')) as ClientBatch;
        raw.push({ encoding: request.headers.get('content-encoding'), body });
        return acceptAll(body);
      }),
    );
    const client = clients.create();
    const notices = record(client);
    client.track('zipped', { text: 'a'.repeat(2000) });
    await client.flush();
    ingest.server.resetHandlers();
    expect(raw.map((r) => [r.encoding, r.body.events[0]?.event])).toEqual([['gzip', 'zipped']]);
    expect(notices.sent[0]?.accepted).toBe(1);
  });

  it('compress: false sends plain JSON', async () => {
    const client = clients.create({ compress: false });
    client.track('plain');
    await client.flush();
    expect(ingest.received[0]?.headers.get('content-encoding')).toBeNull();
    expect(ingest.received[0]?.headers.get('content-type')).toBe('application/json');
  });

  it('a failing CompressionStream costs the compression, not the send', async () => {
    const client = clients.create({}, { gzip: () => Promise.reject(new Error('no gzip here')) });
    client.track('plain_fallback');
    await client.flush();
    expect(ingest.received.map((r) => [r.headers.get('content-encoding'), r.body.events[0]?.event])).toEqual([[null, 'plain_fallback']]);
  });
});

/** The ingest's answer to an encoding it does not take (read-body.ts), here also from a proxy without gzip. */
function unsupportedEncoding(): Response {
  return HttpResponse.json({ error: { code: 'unsupported_encoding', message: 'Content-Encoding "gzip" is not supported; use gzip or none' } }, { status: 415 });
}

/** Answers 415 to every gzip body and `plain` (by default: accepts) to plain JSON. */
function refuseGzip(plain: (body: ClientBatch) => Response = acceptAll) {
  return (body: ClientBatch, call: number) => (ingest.received[call - 1]?.headers.get('content-encoding') === 'gzip' ? unsupportedEncoding() : plain(body));
}

const encodings = () => ingest.received.map((r) => [r.headers.get('content-encoding'), r.body.events.map((e) => e.event)]);

describe('415 to a gzip body (a server or proxy that does not take gzip)', () => {
  it('sends the same events again at once as plain JSON, with no drop and no backoff', async () => {
    ingest.reply(refuseGzip());
    const client = clients.create({ retryBaseMs: 60_000 });
    const notices = record(client);
    client.track('a');
    await client.flush(); // one flush: the plain resend does not wait for a retry
    expect(encodings()).toEqual([
      ['gzip', ['a']],
      [null, ['a']],
    ]);
    expect(ingest.received[1]?.body.events.map((e) => e.event_id)).toEqual(ingest.received[0]?.body.events.map((e) => e.event_id));
    expect(notices.drop).toEqual([]);
    expect(notices.error).toEqual([]);
    expect(notices.sent).toMatchObject([{ status: 200, accepted: 1 }]);
  });

  it('turns compression off for the rest of the client\'s life: later batches go plain, once', async () => {
    ingest.reply(refuseGzip());
    const client = clients.create();
    client.track('a');
    await client.flush();
    client.track('b');
    await client.flush();
    client.track('c');
    await client.flush();
    expect(encodings()).toEqual([
      ['gzip', ['a']],
      [null, ['a']],
      [null, ['b']],
      [null, ['c']],
    ]);
  });

  it('a 415 to the plain resend as well is a drop (http, 415, the ingest\'s code), and nothing is sent a third time', async () => {
    ingest.reply(() => unsupportedEncoding());
    const client = clients.create();
    const notices = record(client);
    client.track('a');
    await client.flush();
    expect(encodings()).toEqual([
      ['gzip', ['a']],
      [null, ['a']],
    ]);
    expect(notices.drop).toMatchObject([{ reason: 'http', status: 415, message: expect.stringContaining('unsupported_encoding') as string, events: [{ event: 'a' }] }]);
    expect(notices.error).toEqual([]);
  });
});

describe('415 to a plain body', () => {
  it('is a drop with its reason (compress: false): the body cannot be sent any plainer', async () => {
    ingest.reply(() => unsupportedEncoding());
    const client = clients.create({ compress: false });
    const notices = record(client);
    client.track('a');
    await client.flush();
    expect(encodings()).toEqual([[null, ['a']]]);
    expect(notices.drop).toMatchObject([{ reason: 'http', status: 415, message: expect.stringContaining('unsupported_encoding') as string }]);
  });
});
