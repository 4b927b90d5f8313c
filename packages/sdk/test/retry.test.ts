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
