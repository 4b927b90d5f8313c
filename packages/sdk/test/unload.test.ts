import { gunzipSync, gzipSync } from 'node:zlib';
import type { ClientBatch } from '@eventline/schemas';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEEPALIVE_BYTES } from '../src/core/delivery';
import { utf8Length } from '../src/core/utf8';
import { QUEUE_PREFIX } from '../src/core/queue';
import { SEQ_BLOCK } from '../src/core/seq';
import type { LifecycleEvent, SendOptions } from '../src/core/types';
import { createMemoryStorage } from '../src/node';
import { sharedKeepaliveQuota } from './keepalive-quota';
import { clientFactory, ENDPOINT, record, sleep, WRITE_KEY } from './support';

const clients = clientFactory();
afterEach(() => clients.closeAll());

interface Sent {
  url: string;
  body: ClientBatch;
  bytes: number;
  options?: SendOptions;
}

/** The JSON of a request body: gzip (the default) is inflated, as the ingest does. */
function bodyText(body: string | Uint8Array): string {
  if (typeof body === 'string') return body;
  const bytes = Buffer.from(body);
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
}

/** A transport that records each request and answers 200 only when `answer` allows (else it never answers). */
function recordingTransport(answer: () => boolean = () => true) {
  const sent: Sent[] = [];
  return {
    sent,
    transport: {
      send(url: string, body: string | Uint8Array, _headers: Record<string, string>, options?: SendOptions) {
        const text = bodyText(body);
        const batch = JSON.parse(text) as ClientBatch;
        sent.push({ url, body: batch, bytes: utf8Length(text), options });
        if (!answer()) return new Promise<never>(() => undefined);
        const results = batch.events.map((e) => ({ event_id: e.event_id, status: 'accepted' }));
        return Promise.resolve({ status: 200, body: { results } });
      },
    },
  };
}

function lifecycle() {
  let fire: (e: LifecycleEvent) => void = () => undefined;
  return { lifecycle: (l: (e: LifecycleEvent) => void) => ((fire = l), () => undefined), fire: (e: LifecycleEvent) => fire(e) };
}

function syncStore() {
  const map = new Map<string, string>();
  return { map, get: (k: string) => map.get(k) ?? null, set: (k: string, v: string) => void map.set(k, v) };
}

describe('unload: visibilitychange hidden / pagehide', () => {
  it('sends with fetch keepalive in ≤ 64 KiB chunks, then sendBeacon (text, writeKey in the query)', async () => {
    const rec = recordingTransport(() => false); // the page is gone: no answer ever arrives
    const beacons: { url: string; body: ClientBatch }[] = [];
    const life = lifecycle();
    // A beacon with a budget of its own, as Firefox's (it does not count beacons against the 64 KiB).
    const client = clients.create({ flushAt: 10_000 }, {
      transport: rec.transport,
      lifecycle: life.lifecycle,
      syncStore: syncStore(),
      beacon: (url, body) => (beacons.push({ url, body: JSON.parse(body) as ClientBatch }), true),
    });
    await client.getDeviceId();
    // 150 events (within the first block of seq numbers), ~100 KB: more than the keepalive budget.
    for (let i = 0; i < 150; i++) client.track('e', { i, pad: 'p'.repeat(650) });
    life.fire('hidden');

    const keepalive = rec.sent.filter((s) => s.options?.keepalive);
    expect(keepalive.length).toBeGreaterThan(0);
    expect(keepalive.reduce((n, s) => n + s.bytes, 0)).toBeLessThanOrEqual(KEEPALIVE_BYTES);
    expect(beacons.length).toBeGreaterThan(0);
    expect(beacons.every((b) => b.url === `${ENDPOINT}/v1/batch?writeKey=${WRITE_KEY}`)).toBe(true);
    const ids = [...keepalive.flatMap((s) => s.body.events), ...beacons.flatMap((b) => b.body.events)].map((e) => e.properties?.i);
    expect(ids).toEqual(Array.from({ length: 150 }, (_, i) => i)); // all, in order, each once
  });

  it('in Chromium (and Safari) at most 64 KiB leaves at hide: beacons share the keepalive quota; the rest stays queued for the page\'s return', async () => {
    const quota = sharedKeepaliveQuota(0, () => false); // the page is gone: its requests never end
    const life = lifecycle();
    const storage = createMemoryStorage();
    const client = clients.create({ flushAt: 10_000, requestTimeoutMs: 1000 }, { storage, transport: quota.transport, beacon: quota.beacon, lifecycle: life.lifecycle, syncStore: syncStore() });
    await client.getDeviceId();
    for (let i = 0; i < 150; i++) client.track('e', { i, pad: 'p'.repeat(650) }); // ~100 KB
    life.fire('hidden');

    const left = [...quota.sent, ...quota.beacons];
    expect(left.reduce((n, s) => n + s.bytes, 0)).toBeLessThanOrEqual(KEEPALIVE_BYTES);
    const ids = left.flatMap((s) => s.events).map((e) => e.properties?.i);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i)); // the oldest, in order, each once
    expect(ids.length).toBeLessThan(150);
    expect(quota.refused.length).toBeGreaterThan(0); // beacons tried, refused: the quota is spent
    // Nothing acknowledged: everything is still queued for the page's return or the next page.
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toHaveLength(150));
  });

  it('an unload send that is answered removes the events; a second hide does not resend them', async () => {
    const rec = recordingTransport();
    const life = lifecycle();
    const storage = createMemoryStorage();
    const client = clients.create({}, { storage, transport: rec.transport, lifecycle: life.lifecycle, syncStore: syncStore() });
    await client.getDeviceId();
    client.track('a');
    life.fire('hidden');
    life.fire('hidden'); // pagehide right after visibilitychange
    expect(rec.sent.map((s) => s.body.events.map((e) => e.event))).toEqual([['a']]);
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toEqual([]));
  });

  it('leases the unload batch: another tab does not resend it until the lease expires', async () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const shared = createMemoryStorage();
    const store = syncStore();
    const first = recordingTransport(() => false);
    const life = lifecycle();
    const tabA = clients.create({ leaseMs: 10_000 }, { storage: shared, transport: first.transport, lifecycle: life.lifecycle, syncStore: store, now: () => now });
    await tabA.getDeviceId();
    tabA.track('left_behind');
    life.fire('hidden');
    expect(first.sent).toHaveLength(1);

    const second = recordingTransport();
    const tabB = clients.create({}, { storage: shared, transport: second.transport, syncStore: store, now: () => now });
    await tabB.flush();
    expect(second.sent).toHaveLength(0);
    now += 10_001;
    await tabB.flush();
    expect(second.sent.map((s) => s.body.events.map((e) => e.event))).toEqual([['left_behind']]);
  });
});

/** sendBeacon as browsers do it: refuses a body over `limit` bytes of UTF-8 (64 KiB, less what is in flight). */
function beaconWithin(limit: number) {
  const beacons: ClientBatch[] = [];
  const refused: number[] = [];
  return {
    beacons,
    refused,
    beacon: (_url: string, body: string) => {
      const bytes = utf8Length(body);
      if (bytes > limit) return (refused.push(bytes), false);
      beacons.push(JSON.parse(body) as ClientBatch);
      return true;
    },
  };
}

describe('unload chunks are measured in UTF-8 bytes', () => {
  it('non-ASCII text (3 bytes a character): every event goes at hide, each request within 64 KiB of bytes', async () => {
    const rec = recordingTransport(() => false); // the page is gone: no answer ever arrives
    const beacon = beaconWithin(KEEPALIVE_BYTES);
    const life = lifecycle();
    const storage = createMemoryStorage();
    const client = clients.create({ flushAt: 10_000 }, { storage, transport: rec.transport, lifecycle: life.lifecycle, syncStore: syncStore(), beacon: beacon.beacon });
    await client.getDeviceId();
    // 150 events of ~1 KB of JSON in UTF-16 units but ~2.4 KB of UTF-8: ~360 KB, 5–6 requests' worth.
    for (let i = 0; i < 150; i++) client.track('e', { i, text: '漢字かな'.repeat(180) });
    life.fire('hidden');

    const keepalive = rec.sent.filter((s) => s.options?.keepalive);
    expect(keepalive.length).toBeGreaterThan(0);
    expect(keepalive.reduce((n, s) => n + s.bytes, 0)).toBeLessThanOrEqual(KEEPALIVE_BYTES);
    expect(beacon.beacons.length).toBeGreaterThan(1);
    const ids = [...keepalive.flatMap((s) => s.body.events), ...beacon.beacons.flatMap((b) => b.events)].map((e) => e.properties?.i);
    expect(ids).toEqual(Array.from({ length: 150 }, (_, i) => i)); // all, in order, each once
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toHaveLength(150)); // nothing acknowledged: all kept
  });

  it('a chunk the browser refuses (its 64 KiB partly spent) is halved and tried again', async () => {
    const rec = recordingTransport(() => false);
    const beacon = beaconWithin(20_000);
    const life = lifecycle();
    const client = clients.create({ flushAt: 10_000 }, { transport: rec.transport, lifecycle: life.lifecycle, syncStore: syncStore(), beacon: beacon.beacon });
    await client.getDeviceId();
    for (let i = 0; i < 150; i++) client.track('e', { i, pad: 'p'.repeat(650) });
    life.fire('hidden');
    expect(beacon.refused.length).toBeGreaterThan(0);
    expect(beacon.beacons.length).toBeGreaterThan(1);
    const ids = [...rec.sent.flatMap((s) => s.body.events), ...beacon.beacons.flatMap((b) => b.events)].map((e) => e.properties?.i);
    expect(ids).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });

  it('a single event the browser refuses (its 64 KiB spent) is not leased: the regular send takes it, in order', async () => {
    const rec = recordingTransport(() => false);
    const life = lifecycle();
    const store = syncStore();
    const client = clients.create({ flushAt: 10_000, leaseMs: 60_000 }, { transport: rec.transport, lifecycle: life.lifecycle, syncStore: store, beacon: () => false });
    await client.getDeviceId();
    for (let i = 0; i < 100; i++) client.track('e', { i, pad: 'p'.repeat(650) });
    life.fire('hidden');
    const sent = rec.sent.flatMap((s) => s.body.events.map((e) => e.event_id));
    const lease = JSON.parse(store.map.get('eventline.lease') ?? '{"ids":[]}') as { ids: string[] };
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(100);
    expect(lease.ids).toEqual(sent); // exactly what went out: the refused one stays free for the regular send
  });

  it('an event over 64 KiB alone is left for the regular send (not leased); the ones behind it still go at hide', async () => {
    let answer = false;
    const rec = recordingTransport(() => answer);
    const beacon = beaconWithin(KEEPALIVE_BYTES);
    const life = lifecycle();
    const store = syncStore();
    const storage = createMemoryStorage();
    const client = clients.create({ flushAt: 10_000, leaseMs: 60_000 }, { storage, transport: rec.transport, lifecycle: life.lifecycle, syncStore: store, beacon: beacon.beacon });
    await client.getDeviceId();
    client.track('before', { pad: 'p'.repeat(40_000) });
    client.track('huge', { text: '字'.repeat(30_000) }); // 30,000 UTF-16 units, 90,000 bytes
    client.track('after', { pad: 'p'.repeat(40_000) });
    life.fire('hidden');
    const atHide = [...rec.sent.map((s) => s.body), ...beacon.beacons].flatMap((b) => b.events.map((e) => e.event));
    expect(atHide).toEqual(['before', 'after']);
    const lease = JSON.parse(store.map.get('eventline.lease') ?? '{"ids":[]}') as { ids: string[] };
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toHaveLength(3)); // nothing removed unanswered

    // The page stays (it was only hidden): the regular send carries it, whatever its size.
    rec.sent.length = 0;
    answer = true;
    await client.flush();
    const huge = rec.sent.flatMap((s) => s.body.events).filter((e) => e.event === 'huge');
    expect(huge).toHaveLength(1);
    expect(lease.ids).not.toContain(huge[0]?.event_id);
  });
});

describe('leaving before the device state has loaded', () => {
  /** Storage whose reads wait until `open()`: the state is still loading when the page is hidden. */
  function slowStorage() {
    const inner = createMemoryStorage();
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, storage: { ...inner, get: <T>(key: string) => opened.then(() => inner.get<T>(key)) } };
  }

  it('stashes the calls in the sync store; the next page queues and sends them', async () => {
    const store = syncStore();
    const life = lifecycle();
    const slow = slowStorage();
    const first = clients.create({}, { storage: slow.storage, transport: recordingTransport().transport, lifecycle: life.lifecycle, syncStore: store });
    first.track('before_ready');
    life.fire('hidden'); // the page goes away before its storage answered
    const stashed = JSON.parse(store.map.get('eventline.pending') ?? '[]') as { event: string; event_id: string }[];
    expect(stashed.map((d) => d.event)).toEqual(['before_ready']);

    const rec = recordingTransport();
    const next = clients.create({}, { transport: rec.transport, syncStore: store });
    await next.flush();
    expect(rec.sent.flatMap((s) => s.body.events.map((e) => [e.event, e.event_id]))).toEqual([['before_ready', stashed[0]?.event_id]]);
    expect(store.map.get('eventline.pending')).toBe('[]');
    slow.open(); // the first page's storage finally answers: it has nothing left to send
    await first.flush();
    expect(rec.sent.flatMap((s) => s.body.events)).toHaveLength(1);
  });

  it('a page that was only hidden sends them once, when its storage answers', async () => {
    const store = syncStore();
    const life = lifecycle();
    const slow = slowStorage();
    const rec = recordingTransport();
    const client = clients.create({}, { storage: slow.storage, transport: rec.transport, lifecycle: life.lifecycle, syncStore: store });
    client.track('hidden_then_back');
    life.fire('hidden');
    slow.open();
    await client.flush();
    expect(rec.sent.flatMap((s) => s.body.events.map((e) => e.event))).toEqual(['hidden_then_back']);
  });

  it('calls waiting for the next block of seq numbers at hide are stashed too, and sent by the next page', async () => {
    const store = syncStore();
    const storage = createMemoryStorage();
    const life = lifecycle();
    // leaseMs 1: what this page sent unanswered at hide is the next page's to send again at once.
    const first = clients.create({ flushAt: 10_000, leaseMs: 1 }, { storage, transport: recordingTransport(() => false).transport, lifecycle: life.lifecycle, syncStore: store });
    await first.getDeviceId();
    const count = SEQ_BLOCK + 20; // one task: the second block is still being reserved
    for (let i = 0; i < count; i++) first.track('burst', { i });
    life.fire('hidden');
    // The calls still waiting (drafts, no seq), and the first block: queued, but not written yet.
    const stashed = JSON.parse(store.map.get('eventline.pending') ?? '[]') as { seq?: number; properties: { i: number } }[];
    expect(stashed.filter((d) => d.seq === undefined).map((d) => d.properties.i)).toEqual(Array.from({ length: 20 }, (_, i) => SEQ_BLOCK + i));
    expect(stashed.filter((d) => d.seq !== undefined).map((d) => d.properties.i)).toEqual(Array.from({ length: SEQ_BLOCK }, (_, i) => i));
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toHaveLength(SEQ_BLOCK)); // the first block, written
    await sleep(5);

    const rec = recordingTransport();
    const next = clients.create({}, { storage, transport: rec.transport, syncStore: store });
    await next.flush();
    const events = rec.sent.flatMap((s) => s.body.events);
    expect(events.map((e) => e.properties?.i).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(new Set(events.map((e) => e.seq)).size).toBe(count); // every seq unique across both pages
  });
});

describe('regular sends', () => {
  it('use keepalive while the body fits the 64 KiB budget, so a navigation does not cancel them', async () => {
    const rec = recordingTransport();
    // Plain JSON: the budget counts the bytes sent, and gzip would shrink this padding far below it.
    const client = clients.create({ flushAt: 10_000, compress: false }, { transport: rec.transport });
    client.track('small');
    await client.flush();
    for (let i = 0; i < 200; i++) client.track('big', { pad: 'p'.repeat(400) });
    await client.flush();
    expect(rec.sent.map((s) => [s.bytes <= KEEPALIVE_BYTES, s.options?.keepalive === true])).toEqual([
      [true, true],
      [false, false],
    ]);
  });
});

describe('maxBatchBytes counts UTF-8 bytes', () => {
  it('a batch of non-ASCII events stays within maxBatchBytes of UTF-8 (it was counted in UTF-16 units, up to 3× over)', async () => {
    const rec = recordingTransport();
    const client = clients.create({ flushAt: 10_000, compress: false, maxBatchBytes: 20_000 }, { transport: rec.transport });
    for (let i = 0; i < 40; i++) client.track('cjk', { i, text: '漢字かな'.repeat(100) });
    await client.flush();
    expect(rec.sent.length).toBeGreaterThan(1);
    expect(rec.sent.map((s) => s.bytes).filter((bytes) => bytes > 20_000)).toEqual([]);
    expect(rec.sent.flatMap((s) => s.body.events.map((e) => e.properties?.i))).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});

describe('leases for requests a closing tab leaves in flight', () => {
  // Chromium's order on a navigation: a keepalive fetch's promise rejects (the request itself carries
  // on and lands), then pagehide fires. Either way the unload path must lease it, not send it again.
  it.each([
    ['a regular send still in flight at pagehide', false],
    ['a keepalive send the browser cancels as it unloads the page (rejected just before pagehide)', true],
  ])('%s is leased, not sent again', async (_case, cancelledFirst) => {
    const store = syncStore();
    const sent: ClientBatch[] = [];
    let cut: (error: Error) => void = () => undefined;
    const transport = {
      send: (_url: string, body: string | Uint8Array) => {
        sent.push(JSON.parse(bodyText(body)) as ClientBatch);
        return new Promise<never>((_resolve, reject) => (cut = reject)); // answers only when the test cuts it
      },
    };
    const life = lifecycle();
    const client = clients.create({ flushAt: 1, retryBaseMs: 60_000 }, { transport, lifecycle: life.lifecycle, syncStore: store });
    client.track('in_flight');
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    if (cancelledFirst) {
      cut(new TypeError('Failed to fetch'));
      await sleep(0);
    }
    life.fire('hidden');
    const lease = JSON.parse(store.map.get('eventline.lease') ?? '{"ids":[]}') as { ids: string[] };
    expect(lease.ids).toEqual(sent[0]?.events.map((e) => e.event_id));
    expect(sent).toHaveLength(1); // not sent a second time at unload
    cut(new Error('page gone'));
  });

  it('a keepalive send rejected longer ago is sent again by the unload path (a real network error)', async () => {
    const sent: ClientBatch[] = [];
    let fail = true;
    const transport = {
      send: (_url: string, body: string | Uint8Array) => {
        sent.push(JSON.parse(bodyText(body)) as ClientBatch);
        return fail ? Promise.reject(new TypeError('Failed to fetch')) : new Promise<never>(() => undefined);
      },
    };
    const life = lifecycle();
    const client = clients.create({ flushAt: 1, retryBaseMs: 60_000 }, { transport, lifecycle: life.lifecycle, syncStore: syncStore(), beacon: () => true }); // a page
    client.track('network_error');
    // Keepalive, then at once plain (a refused keepalive may be the page's shared 64 KiB spent): both fail.
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    fail = false;
    await sleep(1100);
    life.fire('hidden');
    expect(sent.map((b) => b.events.map((e) => e.event))).toEqual([['network_error'], ['network_error'], ['network_error']]);
  });

  it('a regular send still compressing at pagehide is sent by the unload path, once, and leased', async () => {
    const store = syncStore();
    const rec = recordingTransport();
    let finishGzip: (() => void) | undefined;
    // gzip (the default) that finishes only when the test says: the page is hidden meanwhile.
    const gzip = (text: string) => new Promise<Uint8Array>((resolve) => (finishGzip = () => resolve(new Uint8Array(gzipSync(text)))));
    const life = lifecycle();
    const client = clients.create({ flushAt: 1 }, { transport: rec.transport, gzip, lifecycle: life.lifecycle, syncStore: store });
    const sent = record(client).sent;
    client.track('compressing');
    await vi.waitFor(() => expect(finishGzip).toBeDefined());
    life.fire('hidden');
    expect(rec.sent.map((s) => [s.body.events.map((e) => e.event), s.options?.keepalive])).toEqual([[['compressing'], true]]);
    const lease = JSON.parse(store.map.get('eventline.lease') ?? '{"ids":[]}') as { ids: string[] };
    expect(lease.ids).toEqual(rec.sent[0]?.body.events.map((e) => e.event_id));
    finishGzip?.();
    await vi.waitFor(() => expect(sent).toHaveLength(1)); // the unload request's answer
    await client.flush();
    expect(rec.sent).toHaveLength(1); // the compressed send stood down: no second request
  });
});

describe('one sender across tabs', () => {
  it('a tab without the lock only persists; when the lock comes, it sends every tab’s events once', async () => {
    const shared = createMemoryStorage();
    let grant: () => void = () => undefined;
    const lock = (_name: string, run: () => Promise<void>) => new Promise<void>((resolve) => (grant = () => void run().then(resolve)));
    const rec = recordingTransport();
    const follower = clients.create({ flushAt: 1 }, { storage: shared, transport: rec.transport, lock });
    const other = recordingTransport();
    const otherTab = clients.create({ flushAt: 1000 }, { storage: shared, transport: other.transport, lock: () => new Promise<void>(() => undefined) });
    follower.track('from_follower');
    otherTab.track('from_other_tab');
    await follower.flush();
    await otherTab.flush();
    expect(rec.sent).toHaveLength(0);
    expect(other.sent).toHaveLength(0);

    grant(); // the leader tab closed: this one takes over
    await vi.waitFor(() => expect(rec.sent.flatMap((s) => s.body.events.map((e) => e.event)).sort()).toEqual(['from_follower', 'from_other_tab']));
    await follower.flush();
    expect(rec.sent.flatMap((s) => s.body.events)).toHaveLength(2);
  });

  it('a lock granted while a flush waits on the queue as a non-sender: that flush sends, not the next interval', async () => {
    // Web Locks grant the lock a moment after the client starts; a page's first calls come sooner.
    const memory = createMemoryStorage();
    let openWrites: () => void = () => undefined;
    const writesHeld = new Promise<void>((resolve) => (openWrites = resolve));
    let queueWrites = 0;
    const storage = {
      ...memory,
      async setMany(entries: [string, unknown][]) {
        if (entries.some(([key]) => key.startsWith(QUEUE_PREFIX))) {
          queueWrites += 1;
          await writesHeld;
        }
        return memory.setMany(entries);
      },
    };
    let grant: () => void = () => undefined;
    const lock = (_name: string, run: () => Promise<void>) => new Promise<void>((resolve) => (grant = () => void run().then(resolve)));
    const rec = recordingTransport();
    const client = clients.create({ flushAt: 1, flushIntervalMs: 600_000 }, { storage, transport: rec.transport, lock });
    await client.getDeviceId();
    client.track('before_the_lock');
    await vi.waitFor(() => expect(queueWrites).toBe(1)); // the write is under way: the flushAt send waits for it
    await sleep(20); // its timer came after the write's: that flush has started, as a non-sender
    grant(); // this tab becomes the sender; its flush joins the one that is waiting
    openWrites();
    await vi.waitFor(() => expect(rec.sent.flatMap((s) => s.body.events.map((e) => e.event))).toEqual(['before_the_lock']));
  });

  it('a lock granted after close() is handed straight on: the closed client never sends', async () => {
    let grant: () => Promise<void> = () => Promise.resolve();
    const rec = recordingTransport();
    const client = clients.create({}, { transport: rec.transport, lock: (_n, run) => void (grant = run) });
    client.track('a');
    await client.getDeviceId();
    await client.close();
    await grant(); // resolves at once: the lock is released
    await client.flush();
    expect(rec.sent).toEqual([]);
  });

  it('the sender polls the shared queue even when its own is empty', async () => {
    const shared = createMemoryStorage();
    const rec = recordingTransport();
    const leader = clients.create({ flushIntervalMs: 20 }, { storage: shared, transport: rec.transport, lock: (_n, run) => run() });
    await leader.getDeviceId();
    const other = clients.create({}, { storage: shared, transport: recordingTransport().transport, lock: () => new Promise<void>(() => undefined) });
    other.track('from_other_tab');
    await vi.waitFor(() => expect(rec.sent.flatMap((s) => s.body.events.map((e) => e.event))).toEqual(['from_other_tab']));
  });
});

describe('events whose write has not committed when the page goes away', () => {
  /**
   * The page's view of a shared storage: `hold()` keeps every later write from committing (an
   * IndexedDB transaction still open), `die()` aborts them and fails everything after (the page is gone).
   */
  function pageStorage(inner: ReturnType<typeof createMemoryStorage>) {
    let held = false;
    let dead = false;
    const aborts: (() => void)[] = [];
    const gone = () => Promise.reject(new Error('page gone'));
    return {
      hold: () => void (held = true),
      die() {
        dead = true;
        for (const abort of aborts.splice(0)) abort();
      },
      storage: {
        ...inner,
        get: <T>(key: string) => (dead ? gone() : inner.get<T>(key)),
        entries: <T>(prefix: string) => (dead ? gone() : inner.entries<T>(prefix)),
        removeMany: (keys: string[]) => (dead ? gone() : inner.removeMany(keys)),
        setMany: (items: [string, unknown][]) =>
          dead ? gone() : held ? new Promise<void>((_resolve, reject) => aborts.push(() => reject(new Error('aborted')))) : inner.setMany(items),
      },
    };
  }

  it('a burst tracked just before a reload, behind a backlog over 64 KiB the ingest refuses (503), reaches the next page', async () => {
    const store = syncStore();
    const shared = createMemoryStorage();
    const page = pageStorage(shared);
    const life = lifecycle();
    const refused: string[] = [];
    const outage = {
      send(_url: string, body: string | Uint8Array) {
        refused.push(...(JSON.parse(bodyText(body)) as ClientBatch).events.map((e) => String(e.event)));
        return Promise.resolve({ status: 503, body: undefined });
      },
    };
    // leaseMs 1 (and a sleep before the next page): what the first page sent unanswered is the next page's to send at once.
    const first = clients.create(
      { flushAt: 10_000, retryBaseMs: 60_000, leaseMs: 1 },
      { storage: page.storage, transport: outage, lifecycle: life.lifecycle, syncStore: store, beacon: () => false },
    );
    await first.getDeviceId();
    for (let i = 0; i < 120; i++) first.track(`backlog_${i}`, { pad: 'p'.repeat(650) }); // ~90 KB
    await first.flush(); // written, then refused
    expect(await shared.entries(QUEUE_PREFIX)).toHaveLength(120);

    page.hold(); // from here the page's writes do not commit before it goes
    for (let i = 0; i < 10; i++) first.track(`burst_${i}`);
    await sleep(1); // the coalesced write has started
    life.fire('hidden');
    life.fire('hidden'); // pagehide right after visibilitychange
    page.die(); // reload: the open transaction is aborted
    expect(refused.some((name) => name.startsWith('burst_'))).toBe(false); // no room for them in the 64 KiB unload budget
    await sleep(5);

    const rec = recordingTransport();
    const next = clients.create({}, { storage: shared, transport: rec.transport, syncStore: store });
    await next.flush();
    await next.flush();
    const names = rec.sent.flatMap((s) => s.body.events.map((e) => String(e.event)));
    const expected = [...Array.from({ length: 120 }, (_, i) => `backlog_${i}`), ...Array.from({ length: 10 }, (_, i) => `burst_${i}`)];
    expect([...names].sort()).toEqual([...expected].sort()); // every event, each once
    expect(await shared.entries(QUEUE_PREFIX)).toEqual([]);
  });
  it('a page only hidden: once its writes commit the stash no longer holds them, and nothing is sent twice', async () => {
    const store = syncStore();
    const shared = createMemoryStorage();
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Once the state is loaded, writes wait for the test: the page is hidden while its write is open, then it commits.
    let hold = false;
    const storage = { ...shared, setMany: (items: [string, unknown][]) => (hold ? held : Promise.resolve()).then(() => shared.setMany(items)) };
    const life = lifecycle();
    const rec = recordingTransport(() => false); // the unload request is never answered
    const client = clients.create({ flushAt: 10_000, leaseMs: 1 }, { storage, transport: rec.transport, lifecycle: life.lifecycle, syncStore: store });
    await client.getDeviceId();
    hold = true;
    client.track('a');
    client.track('b');
    await sleep(1);
    life.fire('hidden');
    const stashed = () => (JSON.parse(store.map.get('eventline.pending') ?? '[]') as { event: string }[]).map((d) => d.event);
    expect(stashed()).toEqual(['a', 'b']);
    release?.();
    await vi.waitFor(() => expect(stashed()).toEqual([])); // stored now: the stash must not bring them back
    await sleep(5);

    const next = recordingTransport();
    const nextPage = clients.create({}, { storage: shared, transport: next.transport, syncStore: store });
    await nextPage.flush();
    expect(next.sent.flatMap((s) => s.body.events.map((e) => e.event))).toEqual(['a', 'b']); // from Storage, once each
  });

  it('a full or blocked sync store costs the stash, never an exception in the page: an error notice says so', async () => {
    const life = lifecycle();
    const full = { get: () => null, set: () => { throw new DOMException('quota', 'QuotaExceededError'); } };
    const client = clients.create({ flushAt: 10_000 }, { transport: recordingTransport().transport, lifecycle: life.lifecycle, syncStore: full });
    const notices = record(client);
    await client.getDeviceId();
    client.track('a');
    expect(() => life.fire('hidden')).not.toThrow();
    expect(notices.error.map((n) => n.message)).toContain('stash failed');
    await client.flush(); // still queued in this page, and sent
    expect(notices.sent.map((n) => n.accepted)).toEqual([1]);
  });
});
