import type { Storage } from '../../core/types';
import { addTo, settle } from '../memory-storage';
import type { WebStorage } from './global-scope';

/**
 * localStorage behind the async Storage seam, JSON-encoded. Errors (quota exceeded, blocked) reject:
 * the queue reports them and keeps the events in
 * memory, so the host page never sees an exception.
 */
export function createLocalStorage(ls: WebStorage): Storage {
  const read = <T>(key: string): T | undefined => {
    const raw = ls.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  };
  return {
    get: <T>(key: string) => settle(() => read<T>(key)),
    entries: <T>(prefix: string) =>
      settle(() => {
        const out: [string, T][] = [];
        for (let i = 0; i < ls.length; i++) {
          const key = ls.key(i);
          if (key?.startsWith(prefix)) out.push([key, read<T>(key) as T]);
        }
        return out;
      }),
    setMany: (items) => settle(() => items.forEach(([key, value]) => ls.setItem(key, JSON.stringify(value)))),
    removeMany: (keys) => settle(() => keys.forEach((key) => ls.removeItem(key))),
    // Atomic within one tab; tabs in different processes may race (this is the fallback below IndexedDB).
    reserve: (key, count) => settle(() => addTo(read(key), count, (n) => ls.setItem(key, String(n)))),
  };
}
