import type { CoreStorage, FullStorage } from '../core/types';

/** Run a synchronous call as a promise: a throw (quota, blocked storage) becomes a rejection. */
const settle = <T>(fn: () => T): Promise<T> => new Promise((resolve) => resolve(fn()));

/**
 * The Storage seam over a synchronous key/value store (a Map, localStorage). `reserve` reads and
 * writes in one synchronous step: atomic within the store's one thread.
 */
export function createSyncStorage(
  read: (key: string) => unknown,
  write: (key: string, value: unknown) => void,
  remove: (key: string) => void,
  list: () => (string | null)[],
): CoreStorage {
  const keys = (prefix: string) => list().filter((key): key is string => !!key?.startsWith(prefix));
  return {
    get: <T>(key: string) => settle(() => read(key) as T | undefined),
    keys: (prefix) => settle(() => keys(prefix)),
    setMany: (entries) => settle(() => entries.forEach(([key, value]) => write(key, value))),
    removeMany: (keys) => settle(() => keys.forEach((key) => remove(key))),
    reserve: (key, count) =>
      settle(() => {
        const stored = read(key);
        const start = typeof stored === 'number' ? stored : 0;
        write(key, start + count);
        return start;
      }),
  };
}

/** The core's storage in a Map: the last fallback in the browser when nothing persistent works. */
export function createMemoryStore(map = new Map<string, unknown>()): CoreStorage {
  return createSyncStorage(
    (key) => map.get(key),
    (key, value) => map.set(key, value),
    (key) => map.delete(key),
    () => [...map.keys()],
  );
}

/**
 * Storage in a Map, with `entries`: for Node, tests, and as a storage to pass in. Not persistent:
 * the Node client's close() treats its queue as the last chance (retries, then a 'closed' drop).
 */
export function createMemoryStorage(): FullStorage {
  const map = new Map<string, unknown>();
  const store = createMemoryStore(map);
  return { ...store, persistent: false, entries: <T>(prefix: string) => store.keys(prefix).then((keys) => keys.map((key): [string, T] => [key, map.get(key) as T])) };
}
