import type { Storage } from '../../core/types';
import type { WebStorage } from './global-scope';

/** Run a synchronous Web Storage call as a promise: a throw (quota, blocked) becomes a rejection. */
function later<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * localStorage behind the async Storage seam, JSON-encoded. Errors (quota exceeded, blocked) reject:
 * the queue reports them and keeps the events in memory, so the host page never sees an exception.
 */
export function createLocalStorage(ls: WebStorage): Storage {
  const read = <T>(key: string): T | undefined => {
    const raw = ls.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  };
  const list = <T>(prefix: string): [string, T][] => {
    const out: [string, T][] = [];
    for (let i = 0; i < ls.length; i++) {
      const key = ls.key(i);
      if (key?.startsWith(prefix)) out.push([key, read<T>(key) as T]);
    }
    return out;
  };
  return {
    get: <T>(key: string) => later(() => read<T>(key)),
    entries: <T>(prefix: string) => later(() => list<T>(prefix)),
    setMany: (items) => later(() => items.forEach(([key, value]) => ls.setItem(key, JSON.stringify(value)))),
    removeMany: (keys) => later(() => keys.forEach((key) => ls.removeItem(key))),
  };
}
