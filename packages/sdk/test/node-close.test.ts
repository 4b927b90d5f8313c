import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import type { SendOptions, Transport, TransportResponse } from '../src/core/types';
import { createMemoryStorage } from '../src/node';
import { ingestSuite, record, storedAcrossRuns } from './support';

const { ingest, clients } = ingestSuite();
const down = () => new HttpResponse(null, { status: 503 });
const names = (events: { event?: string }[]) => events.map((e) => e.event);

/** A transport whose requests hang until `answer()` accepts every event they carried (the signal is ignored). */
function stalledTransport() {
  const requests: { signal?: AbortSignal; answer: () => void }[] = [];
  const transport: Transport = {
    send: (_url, body, _headers, options?: SendOptions) =>
      new Promise<TransportResponse>((resolve) => {
        const { events } = JSON.parse(String(body)) as { events: { event_id: string }[] };
        const results = events.map((e) => ({ event_id: e.event_id, status: 'accepted' }));
        requests.push({ signal: options?.signal, answer: () => resolve({ status: 200, body: { results } }) });
      }),
  };
  return { transport, requests };
}

describe('Node close(): the queue dies with the process, so close() keeps trying', () => {
  it('retries with backoff until the ingest takes the events', async () => {
    ingest.reply((body, call) => (call < 3 ? down() : HttpResponse.json({ results: body.events.map((e) => ({ event_id: e.event_id, status: 'accepted' })) })));
    const client = clients.create({ retryBaseMs: 1, closeTimeoutMs: undefined }); // the default, 5 s
    const notices = record(client);
    client.track('last_words');
    await client.close();
    expect(ingest.received).toHaveLength(3);
    expect(notices.error.map((e) => e.status)).toEqual([503, 503]);
    expect(notices.sent.map((n) => n.acceptedIds.length)).toEqual([1]);
    expect(notices.drop).toEqual([]);
  });

  it('stops once the next try would come after closeTimeoutMs, and reports what is left as dropped (closed)', async () => {
    let clock = Date.now();
    // Each request "takes" a second of the client's clock: the third ends past the 2.5 s deadline.
    ingest.reply(() => ((clock += 1000), down()));
    const client = clients.create({ retryBaseMs: 1, closeTimeoutMs: 2500 }, { now: () => clock });
    const notices = record(client);
    client.track('a');
    client.track('b');
    await client.close();
    expect(ingest.received).toHaveLength(3);
    expect(notices.drop.map((d) => [d.reason, names(d.events)])).toEqual([['closed', ['a', 'b']]]);
    // Said as it is: close() stopped before closeTimeoutMs ran out, because the backoff would pass it.
    const backoff = notices.error.at(-1)?.retryInMs;
    expect(notices.drop[0]?.message).toBe(`not delivered: the next retry (in ${backoff} ms) would come after closeTimeoutMs (2500 ms)`);
  });

  it('at closeTimeoutMs aborts the request still in flight: its events are in the drop, and an answer after it is not applied', async () => {
    const { transport, requests } = stalledTransport();
    const client = clients.create({ requestTimeoutMs: 600_000, closeTimeoutMs: 20, compress: false }, { transport });
    const notices = record(client);
    client.track('stalled');
    await client.close();
    expect(notices.drop.map((d) => [d.reason, d.message, names(d.events)])).toEqual([['closed', 'not delivered within closeTimeoutMs (20 ms)', ['stalled']]]);
    expect(requests.map((r) => r.signal?.aborted)).toEqual([true]);
    requests[0]!.answer(); // a transport that ignores the signal answers after all
    await client.flush();
    expect(notices.sent).toEqual([]);
    expect(notices.error).toEqual([]);
  });

  it('treats a createMemoryStorage() passed in as its own queue: retries, then drops what is left (closed)', async () => {
    let clock = Date.now();
    ingest.reply(() => ((clock += 1000), down()));
    const client = clients.create({ retryBaseMs: 1, closeTimeoutMs: 2500 }, { storage: createMemoryStorage(), now: () => clock });
    const notices = record(client);
    client.track('only_in_memory');
    await client.close();
    expect(ingest.received).toHaveLength(3);
    expect(notices.drop.map((d) => [d.reason, names(d.events)])).toEqual([['closed', ['only_in_memory']]]);
  });

  it('with a persistent storage passed in: one try, and what it did not deliver stays stored, not dropped', async () => {
    ingest.reply(down);
    const storage = storedAcrossRuns();
    const client = clients.create({ retryBaseMs: 1 }, { storage });
    const notices = record(client);
    client.track('kept_for_next_start');
    await client.close();
    expect(ingest.received).toHaveLength(1);
    expect(notices.drop).toEqual([]);
    const stored = await storage.entries<{ e: { event: string } }>(QUEUE_PREFIX);
    expect(stored.map(([, entry]) => entry.e.event)).toEqual(['kept_for_next_start']);
  });

  it('with a persistent storage passed in, does not wait past closeTimeoutMs for a request that never answers: aborted, the events stay stored', async () => {
    const { transport, requests } = stalledTransport();
    const storage = storedAcrossRuns();
    const client = clients.create({ requestTimeoutMs: 600_000, closeTimeoutMs: 20, compress: false }, { storage, transport });
    const notices = record(client);
    client.track('stalled_but_stored');
    await client.close();
    expect(requests.map((r) => r.signal?.aborted)).toEqual([true]);
    expect([notices.drop, notices.error, notices.sent]).toEqual([[], [], []]);
    const stored = await storage.entries<{ e: { event: string } }>(QUEUE_PREFIX);
    expect(stored.map(([, entry]) => entry.e.event)).toEqual(['stalled_but_stored']);
  });

  it('drops calls still waiting for consent, with a notice', async () => {
    const client = clients.create({ consent: 'pending' });
    const notices = record(client);
    client.track('never_granted');
    client.identify('user-1');
    await client.close();
    expect(ingest.received).toHaveLength(0);
    expect(notices.drop.map((d) => [d.reason, d.events.map((e) => e.event ?? e.type)])).toEqual([['closed', ['never_granted', 'identify']]]);
  });

  it('refuses a closeTimeoutMs that cannot work', () => {
    expect(() => clients.create({ closeTimeoutMs: -1 })).toThrow(/closeTimeoutMs/);
  });
});
