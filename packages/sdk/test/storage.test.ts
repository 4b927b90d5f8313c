import 'fake-indexeddb/auto';
import { promisifyRequest } from 'idb-keyval';
import { describe, expect, it, vi } from 'vitest';
import type { CoreStorage } from '../src/core/types';
import { createIdbStorage } from '../src/platform/browser/storage-idb';
import { createLocalStorage } from '../src/platform/browser/storage-local';
import { createTieredStorage, PROBE_TIMEOUT_MS } from '../src/platform/tiered-storage';
import { createMemoryStorage } from '../src/platform/memory-storage';
import { withEntries } from './support';

/** A localStorage lookalike backed by a Map; `fail` makes writes throw like a full or blocked browser store. */
export function fakeLocalStorage(fail: { set?: boolean } = {}) {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    key: (i: number) => [...map.keys()][i] ?? null,
    getItem: (key: string) => map.get(key) ?? null,
    setItem(key: string, value: string) {
      if (fail.set) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      map.set(key, value);
    },
    removeItem: (key: string) => void map.delete(key),
  };
}

/** What the adapters hold under a prefix: their keys, each read (the core's way of listing). */
const listed = (storage: CoreStorage, prefix: string) => withEntries(storage).entries(prefix);

async function contract(storage: CoreStorage) {
  await storage.setMany([['eventline.seq', 7]]);
  await storage.setMany([
    ['eventline.q.a', { n: 1 }],
    ['eventline.q.b', { n: 2 }],
    ['other.c', 3],
  ]);
  expect(await storage.get('eventline.seq')).toBe(7);
  expect((await listed(storage, 'eventline.q.')).sort()).toEqual([
    ['eventline.q.a', { n: 1 }],
    ['eventline.q.b', { n: 2 }],
  ]);
  await storage.removeMany(['eventline.q.a']);
  await storage.removeMany(['eventline.seq']);
  expect(await listed(storage, 'eventline.q.')).toEqual([['eventline.q.b', { n: 2 }]]);
  expect(await storage.get('eventline.seq')).toBeUndefined();
}

describe('Storage adapters keep the same contract', () => {
  it('memory, with entries (exported: a storage to pass in)', async () => {
    const storage = createMemoryStorage();
    await contract(storage);
    expect(await storage.entries('eventline.q.')).toEqual([['eventline.q.b', { n: 2 }]]);
    expect(await storage.entries('other.')).toEqual([['other.c', 3]]);
  });
  it('localStorage (JSON-encoded)', async () => {
    const ls = fakeLocalStorage();
    await contract(createLocalStorage(ls));
    expect(ls.map.get('eventline.q.b')).toBe('{"n":2}');
  });
  it('IndexedDB (idb-keyval, fake-indexeddb)', async () => {
    await contract(createIdbStorage());
    // a second instance (a reload) sees the same data
    const again = createIdbStorage();
    expect(await again.keys('eventline.q.')).toEqual(['eventline.q.b']);
    expect(await again.get('eventline.q.b')).toEqual({ n: 2 });
  });
  it('localStorage rejects (never throws synchronously) on a quota error', async () => {
    const storage = createLocalStorage(fakeLocalStorage({ set: true }));
    await expect(storage.setMany([['k', 1]])).rejects.toThrow(/quota/);
  });
});

describe('IndexedDB connection', () => {
  it("closes at versionchange: the page's deleteDatabase('eventline') (a logout) is not blocked, and the next call opens a new one", async () => {
    const storage = createIdbStorage();
    await storage.setMany([['v', 1]]);
    const deletion = indexedDB.deleteDatabase('eventline');
    const blocked = new Promise((resolve) => (deletion.onblocked = resolve));
    // Without the close, 'blocked' fires and the deletion waits for as long as this page lives.
    expect(await Promise.race([promisifyRequest(deletion).then(() => 'deleted'), blocked.then(() => 'blocked')])).toBe('deleted');
    expect(await storage.get('v')).toBeUndefined();
    await storage.setMany([['v', 2]]);
    expect(await storage.get('v')).toBe(2);
  });
});

describe('tiered storage: IndexedDB → localStorage → memory', () => {
  it('uses IndexedDB when it works', async () => {
    const ls = fakeLocalStorage();
    const storage = createTieredStorage([createIdbStorage, () => createLocalStorage(ls)]);
    await storage.setMany([['x', 1]]);
    expect(await createIdbStorage().get('x')).toBe(1);
    expect(ls.map.size).toBe(0);
  });

  it('falls back to localStorage when IndexedDB fails, and to memory when both do', async () => {
    const broken = (): CoreStorage => {
      throw new Error('IndexedDB blocked');
    };
    const ls = fakeLocalStorage();
    const second = createTieredStorage([broken, () => createLocalStorage(ls)]);
    await second.setMany([['x', 1]]);
    expect(ls.map.get('x')).toBe('1');
    expect(await second.get('x')).toBe(1);

    const third = createTieredStorage([broken, () => createLocalStorage(fakeLocalStorage({ set: true }))]);
    await third.setMany([['y', 2]]);
    // Neither IndexedDB nor the failing localStorage holds it: memory does.
    expect(await third.get('y')).toBe(2);
  });

  it('an IndexedDB open that never settles: localStorage once PROBE_TIMEOUT_MS have passed, reported', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Safari 14 (webkit.org/b/226547), or behind a blocked deleteDatabase: the open request never fires.
    const open = vi.spyOn(indexedDB, 'open').mockReturnValue({} as IDBOpenDBRequest);
    try {
      const ls = fakeLocalStorage();
      const storage = createTieredStorage([createIdbStorage, () => createLocalStorage(ls)]);
      const reported: unknown[] = [];
      storage.onFallback?.((error) => reported.push(error));
      const written = storage.setMany([['x', 1]]);
      await vi.advanceTimersByTimeAsync(PROBE_TIMEOUT_MS);
      await written;
      expect(ls.map.get('x')).toBe('1');
      expect(open).toHaveBeenCalled();
      expect(reported).toEqual([new Error('storage timeout')]);
    } finally {
      open.mockRestore();
      vi.useRealTimers();
    }
  });

  it('skips a candidate that is absent or reads back something else', async () => {
    const ls = fakeLocalStorage();
    const liar: CoreStorage = { ...createLocalStorage(fakeLocalStorage()), get: () => Promise.resolve(undefined) };
    const storage = createTieredStorage([() => undefined, () => liar, () => createLocalStorage(ls)]);
    await storage.setMany([['z', 3]]);
    expect(ls.map.get('z')).toBe('3');
  });
});
