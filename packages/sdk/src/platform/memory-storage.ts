import type { Storage } from '../core/types';

/** Storage in a Map: for Node, tests, and the last fallback when nothing persistent works. */
export function createMemoryStorage(): Storage {
  const map = new Map<string, unknown>();
  const done = Promise.resolve();
  return {
    get: <T>(key: string) => Promise.resolve(map.get(key) as T | undefined),
    entries: <T>(prefix: string) => Promise.resolve([...map].filter(([key]) => key.startsWith(prefix)) as [string, T][]),
    setMany: (entries) => done.then(() => entries.forEach(([key, value]) => map.set(key, value))),
    removeMany: (keys) => done.then(() => keys.forEach((key) => map.delete(key))),
  };
}
