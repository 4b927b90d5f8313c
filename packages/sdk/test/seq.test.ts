import 'fake-indexeddb/auto';
import type { ClientEvent } from '@eventline/schemas';
import { describe, expect, it, vi } from 'vitest';
import { createSeq, SEQ_BLOCK } from '../src/core/seq';
import { createIdbStorage } from '../src/platform/browser/storage-idb';
import { createLocalStorage } from '../src/platform/browser/storage-local';
import { createMemoryStorage } from '../src/node';
import { ingestSuite, withEntries } from './support';

const { clients, ingest } = ingestSuite();

describe('seq: unique per device across tabs', () => {
  it('IndexedDB reserves atomically: two connections asking at once never get the same block', async () => {
    // Two createIdbStorage() calls = two connections to one database, as two tabs have.
    const [a, b] = [createIdbStorage(), createIdbStorage()];
    const reserve = (i: number) => (i % 2 ? a : b).reserve?.('eventline.seq.dev-1', 10) ?? Promise.reject(new Error('no reserve'));
    const starts = await Promise.all(Array.from({ length: 20 }, (_, i) => reserve(i)));
    expect([...starts].sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
  });

  it('memory and localStorage reserve too (atomic within their one thread)', async () => {
    const map = new Map<string, string>();
    const ls = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k), key: () => null, length: 0 };
    for (const storage of [createMemoryStorage(), createLocalStorage(ls)]) {
      expect(await Promise.all([storage.reserve?.('k', 5), storage.reserve?.('k', 5)])).toEqual([0, 5]);
    }
  });

  it('two clients (tabs) on one IndexedDB tracking at once: every seq unique, increasing per client', async () => {
    // As in a browser: one tab holds the sender lock, the other only persists.
    const left = clients.create({ flushIntervalMs: 20 }, { storage: withEntries(createIdbStorage()), lock: (_name, run) => run() });
    await left.getDeviceId(); // the device id is stored: the second tab opens after the first
    const right = clients.create({}, { storage: withEntries(createIdbStorage()), lock: () => new Promise<void>(() => undefined) });
    await right.getDeviceId();
    for (let i = 0; i < 300; i++) {
      left.track('left', { i });
      right.track('right', { i });
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 0)); // bursts over several tasks
    }
    const key = (e: ClientEvent) => `${e.event ?? ''}:${String(e.properties?.i)}`;
    // The sender picks the other tab's events up from storage on its interval: poll.
    await vi.waitFor(async () => {
      await Promise.all([left.flush(), right.flush()]);
      expect(new Set(ingest.events().map(key)).size).toBe(600);
    }, { timeout: 15_000 }); // a poll for the outcome, generous for a loaded machine
    const events = ingest.events();
    expect(events).toHaveLength(600); // each once
    expect(new Set(events.map((e) => e.anonymous_id)).size).toBe(1); // one device
    expect(new Set(events.map((e) => e.seq)).size).toBe(600);
    for (const name of ['left', 'right']) {
      const mine = events.filter((e) => e.event === name).sort((x, y) => Number(x.properties?.i) - Number(y.properties?.i));
      expect(mine.map((e) => e.seq)).toEqual([...mine.map((e) => e.seq)].sort((x, y) => x - y));
    }
  });

  it('Storage cleared under the page (Clear-Site-Data): a new device id, never the old one with seq from 0 again, after a reload either', async () => {
    const storage = createMemoryStorage();
    const page = clients.create({}, { storage });
    page.track('before_clear');
    await page.flush();
    const old = await page.getDeviceId();
    await storage.removeMany(await storage.keys('')); // Clear-Site-Data: "storage" (a logout), the page still open
    page.track('after_clear');
    await page.flush();
    page.track('moved_on');
    await page.flush();
    await page.close();
    const reloaded = clients.create({}, { storage });
    reloaded.track('reloaded');
    await reloaded.flush();

    const events = ingest.events();
    expect(events.map((e) => e.event)).toEqual(['before_clear', 'after_clear', 'moved_on', 'reloaded']);
    const pairs = events.map((e) => `${e.anonymous_id}:${e.seq}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(events.slice(2).map((e) => e.anonymous_id === old)).toEqual([false, false]);
    expect(await reloaded.getDeviceId()).toBe(events[2]?.anonymous_id);
  });

  it('Storage cleared under two open tabs: the tab that sees it second takes the first one\'s new device id, never writes the old one back', async () => {
    const storage = createMemoryStorage();
    const bothSend = { storage, lock: (_name: string, run: () => Promise<void>) => run() };
    const a = clients.create({}, bothSend);
    a.track('a_before');
    await a.flush();
    const b = clients.create({}, bothSend); // opened once a's device id is stored: the same device
    b.track('b_before');
    await b.flush();
    const old = await a.getDeviceId();
    expect(await b.getDeviceId()).toBe(old);
    await storage.removeMany(await storage.keys('')); // Clear-Site-Data: "storage", both tabs open
    a.track('a_after'); // stamped before a's next state write finds the state gone: the old id, a number it had
    await a.flush();
    a.track('a_moved_on');
    await a.flush();
    b.track('b_after'); // b still holds the old id and a block of its numbers
    await b.flush();
    b.track('b_moved_on');
    await b.flush();
    await a.close();
    await b.close();
    const reloaded = clients.create({}, { storage });
    reloaded.track('reloaded');
    await reloaded.flush();

    // Both tabs send (no shared lock here), so an event may arrive twice: one copy per event_id.
    const events = [...new Map(ingest.events().map((e) => [e.event_id, e])).values()];
    expect(events.map((e) => e.event).sort()).toEqual(['a_after', 'a_before', 'a_moved_on', 'b_after', 'b_before', 'b_moved_on', 'reloaded']);
    const pairs = events.map((e) => `${e.anonymous_id}:${e.seq}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    const moved = events.find((e) => e.event === 'a_moved_on')!.anonymous_id;
    expect(moved).not.toBe(old);
    // b's state write found a's new id in Storage: it took it over instead of writing the old one back.
    expect(events.find((e) => e.event === 'b_moved_on')!.anonymous_id).toBe(moved);
    expect(await reloaded.getDeviceId()).toBe(moved);
  });

  it('a seq block below the numbers a client already used (its counter cleared): the client moves to a new device', async () => {
    const storage = createMemoryStorage();
    let clearedCalls = 0;
    const seq = createSeq(storage, () => undefined, () => undefined, () => clearedCalls++);
    await seq.prime('dev-c');
    for (let i = 0; i < SEQ_BLOCK; i++) seq.take('dev-c'); // the first block used up; the spare is being reserved
    await seq.prime('dev-c'); // the reservation under way: the spare is there
    await storage.removeMany(['eventline.seq.dev-c']);
    for (let i = 0; i < SEQ_BLOCK; i++) seq.take('dev-c');
    await vi.waitFor(() => expect(clearedCalls).toBe(1));
  });

  it('a new device id (reset) counts from its own counter', async () => {
    const storage = createMemoryStorage();
    const seq = createSeq(storage, () => undefined, () => undefined, () => undefined);
    await seq.prime('dev-a');
    expect([seq.take('dev-a'), seq.take('dev-a')]).toEqual([0, 1]);
    expect(seq.take('dev-b')).toBeUndefined(); // its first block is being reserved
    await vi.waitFor(() => expect(seq.take('dev-b')).toBe(0));
    expect(await storage.get('eventline.seq.dev-a')).toBe(2 * SEQ_BLOCK);
    expect(await storage.get('eventline.seq.dev-b')).toBeGreaterThanOrEqual(SEQ_BLOCK);
  });
});
