import type { Storage } from '../core/types';

/** Storage in a Map: for Node, tests, and as the fallback when localStorage is unusable. */
export function createMemoryStorage(): Storage {
  const map = new Map<string, unknown>();
  return {
    get<T>(key: string) {
      return Promise.resolve(map.get(key) as T | undefined);
    },
    set(key, value) {
      map.set(key, value);
      return Promise.resolve();
    },
    remove(key) {
      map.delete(key);
      return Promise.resolve();
    },
  };
}
