import { validateBatchShape, validateEvent, type ClientBatch } from '@eventline/schemas';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../src/node';
import { acceptAll, ENDPOINT, ingestSuite, record, sleep, WRITE_KEY } from './support';
import { SEQ_BLOCK } from '../src/core/seq';
import { resolveConfig, type ClientConfig } from '../src/core/config';

const { ingest, clients } = ingestSuite();

/** A 200 answer with one result per event, chosen by the event's name. */
function perEvent(statusOf: (name: string | undefined) => 'accepted' | 'rejected' | 'retry') {
  return (body: ClientBatch) =>
    HttpResponse.json({
      request_id: 'req-1',
      results: body.events.map((e) => {
        const status = statusOf(e.event);
        return status === 'rejected'
          ? {
              event_id: e.event_id,
              status,
              code: 'invalid_event',
              issues: [{ path: 'properties.af_revenue', code: 'invalid_type', message: 'expected number' }],
            }
          : { event_id: e.event_id, status };
      }),
    });
}

describe('track', () => {
  it('returns synchronously and sends nothing until a flush', async () => {
    const client = clients.create();
    const returned: unknown = client.track('af_content_view', { af_content_id: 'sku-1' });
    expect(returned).toBeUndefined();
    await sleep(30);
    expect(ingest.received).toHaveLength(0);
    await client.flush();
    expect(ingest.received).toHaveLength(1);
  });

  it('never throws on bad input; reports it as a drop instead', async () => {
    const client = clients.create();
    const notices = record(client);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => client.track('x', cyclic)).not.toThrow();
    expect(() => client.track(42 as unknown as string)).not.toThrow();
    expect(() => client.track('', {})).not.toThrow();
    client.track('ok');
    await client.flush();
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(ingest.events().map((e) => e.event)).toEqual(['ok']);
  });

  it('snapshots properties at track time', async () => {
    const client = clients.create();
    const props: Record<string, unknown> = { af_revenue: 1 };
    client.track('af_purchase', props);
    props.af_revenue = 999;
    await client.flush();
    expect(ingest.events()[0]?.properties).toEqual({ af_revenue: 1 });
  });

  it('keeps sending when the platform context throws', async () => {
    const client = clients.create({}, {
      context: () => {
        throw new Error('no context here');
      },
    });
    const notices = record(client);
    client.track('still_sent');
    await client.flush();
    expect(notices.error.map((e) => e.message)).toContain('context failed');
    expect(ingest.events()).toHaveLength(1);
    expect(validateEvent(ingest.events()[0]).ok).toBe(true);
  });
});

describe('flush: the wire format', () => {
  it('POSTs a valid batch with the write key in the query', async () => {
    const client = clients.create();
    client.track('af_purchase', { af_revenue: 12.5, af_currency: 'EUR', af_quantity: 2, custom: 'x' });
    client.track('af_login');
    client.track('signup_clicked');
    await client.flush();

    expect(ingest.received).toHaveLength(1);
    const [{ url, headers, body }] = ingest.received as [(typeof ingest.received)[number]];
    expect(url).toBe(`${ENDPOINT}/v1/batch?writeKey=${WRITE_KEY}`);
    expect(headers.get('content-type')).toBe('application/json');
    expect(validateBatchShape(body).ok).toBe(true);
    expect(body.events).toHaveLength(3);
    body.events.forEach((event, i) => {
      const result = validateEvent(event, `events[${i}]`);
      expect(result.ok ? [] : result.issues).toEqual([]);
    });
    const [first] = body.events;
    expect(first).toMatchObject({
      type: 'track',
      event: 'af_purchase',
      schema_version: 2,
      properties: { af_revenue: 12.5, af_currency: 'EUR' },
      context: { library: { name: 'eventline-sdk', version: '0.1.0' } },
    });
    expect(Date.parse(body.sent_at)).toBeGreaterThanOrEqual(Date.parse(first?.client_ts ?? ''));
  });

  it('numbers events per device (each client reserves a block of seq) and keeps the device id across clients sharing one Storage', async () => {
    const storage = createMemoryStorage();
    const a = clients.create({}, { storage });
    a.track('one');
    a.track('two');
    await a.close();
    const b = clients.create({}, { storage });
    b.track('three');
    await b.flush();

    const events = ingest.events();
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2 * SEQ_BLOCK]); // b reserved the block after a's two (in use, spare)
    const deviceId = await a.getDeviceId();
    expect(await b.getDeviceId()).toBe(deviceId);
    expect(new Set(events.map((e) => e.anonymous_id))).toEqual(new Set([deviceId]));
    expect(events[0]?.session_id).toBe(events[1]?.session_id);
    expect(events[2]?.session_id).toBe(events[0]?.session_id); // one session: no 30 min gap
    expect(new Set(events.map((e) => e.event_id)).size).toBe(3);
  });

  it('gives separate storages separate device ids', async () => {
    const a = clients.create();
    const b = clients.create();
    expect(await a.getDeviceId()).not.toBe(await b.getDeviceId());
  });

  it('splits more than 500 events into several requests', async () => {
    const client = clients.create({ flushAt: 10_000, maxQueue: 2000 });
    for (let i = 0; i < 1001; i++) client.track('bulk', { i });
    await client.flush();
    expect(ingest.received.map((r) => r.body.events.length)).toEqual([500, 500, 1]);
    expect(ingest.events().map((e) => e.properties?.i)).toEqual(Array.from({ length: 1001 }, (_, i) => i));
  });
});

describe('flush: per-event results', () => {
  it('removes accepted, drops rejected with their issues, keeps retry for the next flush', async () => {
    const client = clients.create();
    const notices = record(client);
    ingest.reply(perEvent((name) => (name === 'bad' ? 'rejected' : name === 'later' ? 'retry' : 'accepted')));
    client.track('good');
    client.track('bad');
    client.track('later');
    await client.flush();

    expect(notices.sent).toMatchObject([{ status: 200, requestId: 'req-1', accepted: 1, rejected: 1, retry: 1 }]);
    // The sent notice lists the accepted ids.
    expect(notices.sent[0]?.acceptedIds).toEqual([ingest.events().find((e) => e.event === 'good')?.event_id]);
    expect(notices.drop).toHaveLength(1);
    expect(notices.drop[0]).toMatchObject({
      reason: 'rejected',
      code: 'invalid_event',
      issues: [{ path: 'properties.af_revenue', code: 'invalid_type', message: 'expected number' }],
    });
    expect(notices.drop[0]?.events.map((e) => e.event)).toEqual(['bad']);

    ingest.reply(acceptAll);
    await client.flush();
    expect(ingest.received[1]?.body.events.map((e) => e.event)).toEqual(['later']);
    expect(ingest.received[1]?.body.events[0]?.event_id).toBe(ingest.received[0]?.body.events[2]?.event_id);

    await client.flush();
    expect(ingest.received).toHaveLength(2);
  });
});

describe('flush: failures', () => {
  it.each([500, 503, 408, 429])('keeps every event on %i and sends each exactly once later', async (status) => {
    const client = clients.create();
    const notices = record(client);
    ingest.reply((body, call) => (call === 1 ? HttpResponse.json({ error: 'busy' }, { status }) : acceptAll(body)));
    client.track('a');
    client.track('b');
    await client.flush();
    expect(notices.error).toMatchObject([{ status, queued: 2 }]);
    expect(notices.drop).toEqual([]);

    await client.flush();
    await client.flush();
    const [failed, ok] = ingest.received;
    expect(ingest.received).toHaveLength(2);
    expect(ok?.body.events.map((e) => e.event_id)).toEqual(failed?.body.events.map((e) => e.event_id));
    expect(notices.sent).toHaveLength(1);
  });

  it('keeps events on a network error', async () => {
    const client = clients.create();
    const notices = record(client);
    // Twice: a keepalive send that fails is tried again at once without keepalive (the page's keepalive
    // quota may be another script's); one failure, reported once.
    const down = () => http.post(`${ENDPOINT}/v1/batch`, () => HttpResponse.error(), { once: true });
    ingest.server.use(down(), down());
    client.track('a');
    await client.flush();
    expect(notices.error).toHaveLength(1);
    expect(notices.error[0]?.status).toBeUndefined();
    expect(notices.error[0]?.message).toMatch(/network error/);

    await client.flush();
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['a']);
  });

  it('reports Retry-After from a 429', async () => {
    const client = clients.create();
    const notices = record(client);
    ingest.reply(() => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } }));
    client.track('a');
    await client.flush();
    expect(notices.error[0]).toMatchObject({ status: 429, retryAfterMs: 7000 });
  });

  it('does not let flushAt hammer an ingest that is failing; only the backoff timer retries', async () => {
    // the test clients' jitter draw is pinned to 0.5: the first retry is due in 30 s
    const client = clients.create({ flushAt: 2, retryBaseMs: 60_000 });
    ingest.reply(() => new HttpResponse(null, { status: 503 }));
    client.track('a');
    client.track('b');
    await vi.waitFor(() => expect(ingest.received).toHaveLength(1), { timeout: 2000 });
    for (const name of ['c', 'd', 'e', 'f']) client.track(name);
    await sleep(50);
    expect(ingest.received).toHaveLength(1);
  });

  it('still sends, with a device id of this run, when Storage fails (and a shared opt-out store says nothing)', async () => {
    const fail = () => Promise.reject(new Error('storage exploded'));
    const broken = { get: fail, entries: fail, setMany: fail, removeMany: fail };
    // The state read is tried again after retryBaseMs, 2× and 4× that (state-read.test.ts).
    const client = clients.create({ retryBaseMs: 1 }, { storage: broken, syncStore: { get: () => null, set: () => undefined } });
    const notices = record(client);
    client.track('a');
    client.track('b');
    await client.flush();
    expect(notices.error.length).toBeGreaterThan(0);
    expect(notices.error.every((e) => /storage failed|queue (read|write|remove) failed|state load failed|seq failed/.test(e.message))).toBe(true);
    expect(ingest.events().map((e) => [e.event, e.seq, e.anonymous_id])).toEqual([
      ['a', 0, await client.getDeviceId()],
      ['b', 1, await client.getDeviceId()],
    ]);
  });

  it('reads the ingest error body shape into the drop message', async () => {
    const client = clients.create();
    const notices = record(client);
    ingest.reply(() => HttpResponse.json({ error: { code: 'invalid_write_key', message: 'unknown write key' } }, { status: 401 }));
    client.track('a');
    await client.flush();
    expect(notices.drop[0]?.message).toBe('HTTP 401 (invalid_write_key: unknown write key)');
  });

  it.each([400, 401, 403])('drops the batch on %i and says why', async (status) => {
    const client = clients.create();
    const notices = record(client);
    ingest.reply(() => HttpResponse.json({ error: 'nope', message: 'bad write key' }, { status }));
    client.track('a');
    client.track('b');
    await client.flush();
    expect(notices.drop).toHaveLength(1);
    expect(notices.drop[0]).toMatchObject({ reason: 'http', status, message: `HTTP ${status} (nope: bad write key)` });
    expect(notices.drop[0]?.events.map((e) => e.event)).toEqual(['a', 'b']);

    await client.flush();
    expect(ingest.received).toHaveLength(1);
  });
});

describe('flush: concurrency and triggers', () => {
  it('sends each event once when flush() is called concurrently', async () => {
    const client = clients.create();
    ingest.reply(async (body) => {
      await sleep(50);
      return acceptAll(body);
    });
    client.track('a');
    client.track('b');
    const first = client.flush();
    const second = client.flush();
    await sleep(10);
    client.track('c'); // tracked while a request is in flight
    const third = client.flush();
    await Promise.all([first, second, third]);
    await client.flush();

    const ids = ingest.events().map((e) => e.event_id);
    expect(ingest.events().map((e) => e.event)).toEqual(['a', 'b', 'c']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('drops the oldest event beyond maxQueue, with a drop notice', async () => {
    const client = clients.create({ maxQueue: 3 });
    const notices = record(client);
    await client.getDeviceId(); // identity loaded: events go straight to the queue
    for (const name of ['e1', 'e2', 'e3', 'e4', 'e5']) client.track(name);
    expect(notices.drop.map((d) => [d.reason, d.events[0]?.event])).toEqual([
      ['queue_full', 'e1'],
      ['queue_full', 'e2'],
    ]);
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['e3', 'e4', 'e5']);
  });

  it('bounds events tracked before the device id is loaded too', async () => {
    const client = clients.create({ maxQueue: 2 });
    const notices = record(client);
    for (const name of ['e1', 'e2', 'e3']) client.track(name);
    await client.flush();
    expect(notices.drop.map((d) => d.events[0]?.event)).toEqual(['e1']);
    expect(ingest.events().map((e) => [e.event, e.seq])).toEqual([
      ['e2', 0],
      ['e3', 1],
    ]);
  });

  it('sends on its own once flushAt events are queued', async () => {
    const client = clients.create({ flushAt: 3 });
    client.track('a');
    client.track('b');
    await sleep(30);
    expect(ingest.received).toHaveLength(0);
    client.track('c');
    await vi.waitFor(() => expect(ingest.received).toHaveLength(1), { timeout: 2000 });
    expect(ingest.events().map((e) => e.event)).toEqual(['a', 'b', 'c']);
  });

  it('sends on its own every flushIntervalMs', async () => {
    const client = clients.create({ flushIntervalMs: 40 });
    client.track('a');
    await vi.waitFor(() => expect(ingest.received).toHaveLength(1), { timeout: 2000 });
    client.track('b');
    await vi.waitFor(() => expect(ingest.received).toHaveLength(2), { timeout: 2000 });
  });

  it('close() sends what is queued and refuses later events', async () => {
    const client = clients.create();
    const notices = record(client);
    client.track('a');
    await client.close();
    client.track('late');
    expect(ingest.events().map((e) => e.event)).toEqual(['a']);
    expect(notices.drop.map((d) => d.reason)).toEqual(['closed']);
  });
});

describe('config', () => {
  // Values the types refuse, as plain JavaScript passes them.
  const untyped = (config: Record<string, unknown>) => config as Partial<ClientConfig>;
  it.each([
    [{ writeKey: '', endpoint: ENDPOINT }, /writeKey/],
    [{ writeKey: 'k', endpoint: 'ingest.test' }, /endpoint/],
    [{ writeKey: 'k', endpoint: ENDPOINT, flushAt: 0 }, /flushAt/],
    [{ writeKey: 'k', endpoint: ENDPOINT, maxQueue: 1.5 }, /maxQueue/],
    // Guesses a page might make for "no consent yet" must not be read as granted.
    [untyped({ writeKey: 'k', endpoint: ENDPOINT, consent: false }), /consent/],
    [untyped({ writeKey: 'k', endpoint: ENDPOINT, consent: 'denied' }), /consent/],
    [untyped({ writeKey: 'k', endpoint: ENDPOINT, consent: 'Pending' }), /consent/],
    [untyped({ writeKey: 'k', endpoint: ENDPOINT, compress: 'no' }), /compress/],
    [untyped({ writeKey: 'k', endpoint: ENDPOINT, autoPage: 0 }), /autoPage/],
    [untyped({ writeKey: 'k', endpoint: ENDPOINT, plugins: {} }), /plugins/],
  ])('rejects %j at init', (config, error) => {
    expect(() => clients.create(config)).toThrow(error);
  });

  it('tolerates a trailing slash on the endpoint', async () => {
    const client = clients.create({ endpoint: `${ENDPOINT}/` });
    client.track('a');
    await client.flush();
    expect(ingest.received).toHaveLength(1);
  });

  // Each posted to /v1/batch/v1/batch before: a 404, and every event dropped.
  it.each(['/v1/batch', '/v1/batch/'])('takes an endpoint ending in %s as the API base', async (ending) => {
    const client = clients.create({ endpoint: `${ENDPOINT}${ending}` });
    const notices = record(client);
    client.track('a');
    await client.flush();
    expect([notices.sent.length, notices.drop]).toEqual([1, []]);
    expect(ingest.received.map((r) => new URL(r.url).pathname)).toEqual(['/v1/batch']);
  });

  it('strips only a path ending /v1/batch, never a host named v1, and keeps a /v1 (an API Gateway stage of that name)', () => {
    expect(resolveConfig({ writeKey: 'k', endpoint: 'https://v1' }).endpoint).toBe('https://v1');
    expect(resolveConfig({ writeKey: 'k', endpoint: 'https://v1/batch/' }).endpoint).toBe('https://v1/batch');
    expect(resolveConfig({ writeKey: 'k', endpoint: 'https://x.example/api/v1/batch' }).endpoint).toBe('https://x.example/api');
    // execute-api URL of a stage named v1: the SDK posts to …/v1/v1/batch, stage v1, route /v1/batch.
    expect(resolveConfig({ writeKey: 'k', endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/' }).endpoint).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/v1');
  });
});
