import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../src/core/types';
import { ingestSuite, record } from './support';

const { ingest, clients } = ingestSuite();
const down = () => new HttpResponse(null, { status: 503 });
const names = (events: { event?: string }[]) => events.map((e) => e.event);

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
  });

  it('does not wait past closeTimeoutMs for a request that never answers', async () => {
    const transport: Transport = { send: () => new Promise(() => undefined) };
    const client = clients.create({ requestTimeoutMs: 600_000, closeTimeoutMs: 20 }, { transport });
    const notices = record(client);
    client.track('stalled');
    await client.close();
    expect(notices.drop.map((d) => [d.reason, names(d.events)])).toEqual([['closed', ['stalled']]]);
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
