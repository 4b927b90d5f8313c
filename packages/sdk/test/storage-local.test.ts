import { afterEach, describe, expect, it } from 'vitest';
import { getLocalStorage } from '../src/platform/browser/global-scope';
import { createLocalStorage } from '../src/platform/browser/storage-local';

/** A localStorage lookalike backed by a Map; `fail` makes chosen methods throw like a browser does. */
function fakeLocalStorage(fail: { get?: boolean; set?: boolean } = {}): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    key: (i: number) => [...map.keys()][i] ?? null,
    getItem(key: string) {
      if (fail.get) throw new DOMException('The operation is insecure.', 'SecurityError');
      return map.get(key) ?? null;
    },
    setItem(key: string, value: string) {
      if (fail.set) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      map.set(key, value);
    },
    removeItem: (key: string) => void map.delete(key),
  };
}

describe('createLocalStorage', () => {
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('stores JSON in localStorage', async () => {
    const ls = fakeLocalStorage();
    const storage = createLocalStorage(() => ls);
    await storage.set('eventline.seq', 7);
    expect(ls.map.get('eventline.seq')).toBe('7');
    // a fresh instance (a page reload) reads it back
    expect(await createLocalStorage(() => ls).get('eventline.seq')).toBe(7);
    await storage.remove('eventline.seq');
    expect(ls.map.has('eventline.seq')).toBe(false);
    expect(storage.failures()).toBe(0);
  });

  it('falls back to memory when the quota is exceeded', async () => {
    const storage = createLocalStorage(() => fakeLocalStorage({ set: true }));
    await expect(storage.set('k', { a: 1 })).resolves.toBeUndefined();
    expect(await storage.get('k')).toEqual({ a: 1 });
    expect(storage.failures()).toBe(1);
  });

  it('falls back to memory when every access throws SecurityError', async () => {
    const storage = createLocalStorage(() => fakeLocalStorage({ get: true, set: true }));
    await storage.set('k', 'v');
    expect(await storage.get('k')).toBe('v');
    expect(storage.failures()).toBe(2);
  });

  it('survives corrupt JSON', async () => {
    const ls = fakeLocalStorage();
    ls.map.set('k', '{not json');
    const storage = createLocalStorage(() => ls);
    expect(await storage.get('k')).toBeUndefined();
    expect(storage.failures()).toBe(1);
  });

  it('works with no localStorage at all (worker, SSR)', async () => {
    const storage = createLocalStorage(() => undefined);
    await storage.set('k', 1);
    expect(await storage.get('k')).toBe(1);
  });

  it('getLocalStorage treats a throwing window.localStorage getter as absent', () => {
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    expect(getLocalStorage()).toBeUndefined();
  });
});
