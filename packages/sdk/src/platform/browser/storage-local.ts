import type { CoreStorage } from '../../core/types';
import { toJson } from '../../core/wire-json';
import { createSyncStorage } from '../memory-storage';
import type { WebStorage } from './global-scope';

/**
 * localStorage behind the async Storage seam, JSON-encoded. Errors (quota exceeded, blocked) reject:
 * the queue reports them and keeps the events in memory, so the host page never sees an exception.
 * `reserve` is atomic within one tab; tabs in different processes may race (this is the fallback
 * below IndexedDB).
 */
export function createLocalStorage(ls: WebStorage): CoreStorage {
  return createSyncStorage(
    (key) => {
      const raw = ls.getItem(key);
      return raw === null ? undefined : (JSON.parse(raw) as unknown);
    },
    (key, value) => ls.setItem(key, toJson(value)),
    (key) => ls.removeItem(key),
    () => Array.from({ length: ls.length }, (_, i) => ls.key(i)),
  );
}
