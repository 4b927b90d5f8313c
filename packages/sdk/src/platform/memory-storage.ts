import type { Storage } from '../core/types';

/** Run a synchronous call as a promise: a throw (quota, blocked storage) becomes a rejection. */
export const settle = <T>(fn: () => T): Promise<T> => new Promise((resolve) => resolve(fn()));

/** Storage in a Map: for Node, tests, and the last fallback when nothing persistent works. */
export function createMemoryStorage(): Storage {
  const map = new Map<string, unknown>();
  return {
    get: <T>(key: string) => settle(() => map.get(key) as T | undefined),
    entries: <T>(prefix: string) => settle(() => [...map].filter(([key]) => key.startsWith(prefix)) as [string, T][]),
    setMany: (entries) => settle(() => entries.forEach(([key, value]) => map.set(key, value))),
    removeMany: (keys) => settle(() => keys.forEach((key) => map.delete(key))),
    reserve: (key, count) => settle(() => addTo(map.get(key), count, (n) => map.set(key, n))),
  };
}

/** Synchronous read-add-write for the synchronous storages (atomic within their one thread). */
export function addTo(stored: unknown, count: number, write: (n: number) => void): number {
  const start = typeof stored === 'number' ? stored : 0;
  write(start + count);
  return start;
}
