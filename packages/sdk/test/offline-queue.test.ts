import 'fake-indexeddb/auto';
import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import type { FullStorage } from '../src/core/types';
import { createIdbStorage } from '../src/platform/browser/storage-idb';
import { createMemoryStorage } from '../src/node';
import { acceptAll, ingestSuite, record, storedAcrossRuns, withEntries } from './support';
import { SEQ_BLOCK } from '../src/core/seq';
import { createBrowserPlatform } from '../src/platform/browser/platform';
import { PROBE_TIMEOUT_MS } from '../src/platform/tiered-storage';

const { ingest, clients } = ingestSuite();

const down = () => HttpResponse.json({ error: { code: 'unavailable', message: 'try later' } }, { status: 503 });

describe('offline queue persisted in IndexedDB', () => {
  it('an IndexedDB open that never settles: an error notice, then the next tier; flush() and getDeviceId() settle', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Safari 14 (webkit.org/b/226547), or behind a blocked deleteDatabase: the open request never fires.
    const open = vi.spyOn(indexedDB, 'open').mockReturnValue({} as IDBOpenDBRequest);
    try {
      const client = clients.create({}, { storage: createBrowserPlatform().storage as FullStorage }); // IndexedDB, else localStorage, else memory (keys, reserve: no entries needed)
      const notices = record(client);
      client.track('idb_never_opened');
      const flushed = client.flush();
      await vi.advanceTimersByTimeAsync(PROBE_TIMEOUT_MS);
      await flushed;
      expect(ingest.events().map((e) => e.event)).toEqual(['idb_never_opened']);
      expect(notices.error.map((n) => [n.message, (n.error as Error).message])).toEqual([['storage failed', 'storage timeout']]);
      expect(await client.getDeviceId()).toBe(ingest.events()[0]?.anonymous_id);
    } finally {
      open.mockRestore();
      vi.useRealTimers();
    }
  });

  it('writes every event to storage before any send, and deletes it only after the ack', async () => {
    const storage = withEntries(createIdbStorage());
    ingest.reply(down);
    const client = clients.create({ retryBaseMs: 60_000 }, { storage });
    client.track('a');
    client.track('b');
    await client.flush();
    const stored = await storage.entries<{ e: { event: string } }>(QUEUE_PREFIX);
    expect(stored.map(([, v]) => v.e.event).sort()).toEqual(['a', 'b']);

    ingest.reply(acceptAll);
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['a', 'b', 'a', 'b']);
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toEqual([]));
  });

  it('a reload (new client, same storage) sends what the previous page left, once', async () => {
    const storage = withEntries(createIdbStorage());
    ingest.reply(down);
    const first = clients.create({ retryBaseMs: 60_000 }, { storage });
    first.track('before_reload', { n: 1 });
    await first.flush();
    await first.close(); // the page goes away with the ingest still down
    ingest.reset();

    const second = clients.create({}, { storage });
    await vi.waitFor(() => expect(ingest.events().map((e) => e.event)).toEqual(['before_reload']));
    second.track('after_reload');
    await second.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['before_reload', 'after_reload']);
    const [a, b] = ingest.events().map((e) => e.seq);
    expect(b).toBe((a ?? -1e9) + 2 * SEQ_BLOCK); // the new page reserved the block after the first page's two
  });
});

describe('bounds: count, bytes, age', () => {
  it('drops the oldest beyond maxQueueBytes and reports it', async () => {
    const client = clients.create({ maxQueueBytes: 1500 });
    const notices = record(client);
    await client.getDeviceId();
    for (let i = 0; i < 6; i++) client.track('big', { pad: 'x'.repeat(300), i });
    await client.flush(); // sizes are measured off the call path, when the events are written
    const dropped = notices.drop.flatMap((d) => d.events.map((e) => e.properties?.i));
    expect(notices.drop.every((d) => d.reason === 'queue_full')).toBe(true);
    expect(dropped.length).toBeGreaterThan(0);
    const sent = ingest.events().map((e) => e.properties?.i);
    expect([...dropped, ...sent]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('drops events older than maxEventAgeMs unsent', async () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const storage = createMemoryStorage();
    ingest.reply(down);
    const client = clients.create({ maxEventAgeMs: 60_000, retryBaseMs: 60_000 }, { storage, now: () => now });
    const notices = record(client);
    client.track('old');
    await client.flush();
    now += 61_000;
    ingest.reply(acceptAll);
    client.track('new');
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.events.map((e) => e.event)])).toEqual([['expired', ['old']]]);
    expect(ingest.events().map((e) => e.event)).toEqual(['old', 'new']); // 'old' only in the failed attempt
    expect(await storage.entries(QUEUE_PREFIX)).toEqual([]);
  });

  it('events queued before the device clock was set (1970) are sent once it is, not dropped as expired', async () => {
    const storage = storedAcrossRuns();
    ingest.reply(down);
    const booted = clients.create({ retryBaseMs: 60_000 }, { storage, now: () => 60_000 }); // no network time yet
    booted.track('before_clock');
    await booted.flush();
    await booted.close();
    ingest.reset();

    const next = clients.create({}, { storage, now: () => Date.parse('2026-11-26T12:00:00Z') });
    const notices = record(next);
    await next.flush();
    expect(notices.drop).toEqual([]);
    expect(ingest.events().map((e) => e.event)).toEqual(['before_clock']);
  });

  it('keeps sending from memory when storage writes fail (quota), and reports it', async () => {
    const storage = createMemoryStorage();
    const full = { ...storage, setMany: () => Promise.reject(new DOMException('quota', 'QuotaExceededError')) };
    const client = clients.create({}, { storage: full });
    const notices = record(client);
    client.track('a');
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['a']);
    expect(notices.error.map((e) => e.message)).toContain('queue write failed');
  });
});

describe('queue reload (the sending tab reads what every tab stored)', () => {
  it('drops what another tab acknowledged, keeps what was added during the read', async () => {
    const { createQueue } = await import('../src/core/queue');
    const storage = createMemoryStorage();
    const options = { storage, maxCount: 100, maxBytes: 1e9, maxAgeMs: 1e9, now: Date.now, onDrop: () => undefined, onError: () => undefined, onStored: () => undefined };
    const tabA = createQueue(options);
    const tabB = createQueue(options);
    const ev = (id: string) => ({ event_id: id, event: id }) as never;
    tabA.add(ev('a1'));
    tabB.add(ev('b1'));
    await tabA.saved();
    await tabB.saved();
    await tabA.reload();
    expect(tabA.list().map((e) => e.e.event_id).sort()).toEqual(['a1', 'b1']);
    tabB.remove([ev('b1')]); // tab B sent it and got the ack
    await tabB.saved();
    const reading = tabA.reload();
    tabA.add(ev('a2')); // tracked while the read is in flight
    await reading;
    expect(tabA.list().map((e) => e.e.event_id).sort()).toEqual(['a1', 'a2']);
  });
});
