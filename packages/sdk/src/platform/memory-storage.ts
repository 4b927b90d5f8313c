import type { FullStorage } from '../core/types';

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
): FullStorage {
  const keys = (prefix: string) => list().filter((key): key is string => !!key?.startsWith(prefix));
  return {
    get: <T>(key: string) => settle(() => read(key) as T | undefined),
    keys: (prefix) => settle(() => keys(prefix)),
    entries: <T>(prefix: string) => settle(() => keys(prefix).map((key): [string, T] => [key, read(key) as T])),
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

/** Storage in a Map: for Node, tests, and the last fallback when nothing persistent works. */
export function createMemoryStorage(): FullStorage {
  const map = new Map<string, unknown>();
  return createSyncStorage(
    (key) => map.get(key),
    (key, value) => map.set(key, value),
    (key) => map.delete(key),
    () => [...map.keys()],
  );
}
