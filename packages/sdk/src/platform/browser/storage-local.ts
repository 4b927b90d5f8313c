import type { Storage } from '../../core/types';
import { createMemoryStorage } from '../memory-storage';
import type { WebStorage } from './global-scope';

/**
 * localStorage behind the async Storage seam, JSON-encoded. Every value is also kept in memory, and
 * any localStorage failure (blocked, quota exceeded, corrupt JSON) falls back to that copy: storage
 * trouble can cost persistence across reloads, never an exception in the page.
 */
export function createLocalStorage(getLocalStorage: () => WebStorage | undefined): Storage & {
  /** How many localStorage operations failed and were served from memory instead. */
  failures(): number;
} {
  const memory = createMemoryStorage();
  let failures = 0;

  function attempt<T>(op: (ls: WebStorage) => T): T | undefined {
    try {
      const ls = getLocalStorage();
      return ls ? op(ls) : undefined;
    } catch {
      failures += 1; // counted; the memory copy answers instead
      return undefined;
    }
  }

  return {
    async get<T>(key: string) {
      const stored = attempt((ls) => {
        const raw = ls.getItem(key);
        return raw === null ? undefined : { value: JSON.parse(raw) as T };
      });
      return stored ? stored.value : memory.get<T>(key);
    },
    async set(key, value) {
      await memory.set(key, value);
      attempt((ls) => ls.setItem(key, JSON.stringify(value)));
    },
    async remove(key) {
      await memory.remove(key);
      attempt((ls) => ls.removeItem(key));
    },
    failures: () => failures,
  };
}
