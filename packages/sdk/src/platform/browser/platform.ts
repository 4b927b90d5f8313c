import type { CorePlatform } from '../../core/types';
import { createTieredStorage } from '../tiered-storage';
import { readBrowserContext } from './context';
import {
  getBeacon,
  getBrowserScope,
  getFetch,
  getGzip,
  getLanding,
  getLocalStorage,
  getLocks,
  hasIndexedDb,
  listenLifecycle,
  listenRoutes,
  randomBytes,
  utf8Length,
  whenShown,
} from './global-scope';
import { createIdbStorage } from './storage-idb';
import { createLocalStorage } from './storage-local';
import { createStorageLock } from './storage-lock';
import { createFetchTransport } from './transport-fetch';

/**
 * The browser adapter: IndexedDB → localStorage → memory, fetch (+ keepalive, sendBeacon), gzip,
 * Web Locks (localStorage lease fallback), page lifecycle. Safe to create during SSR.
 */
export function createBrowserPlatform(): CorePlatform {
  const ls = getLocalStorage();
  const syncStore = ls && { get: (k: string) => ls.getItem(k), set: (k: string, v: string) => ls.setItem(k, v) };
  const lock = getLocks() ?? (syncStore && createStorageLock(syncStore, randomBytes(8).join('.'), () => Date.now())); // owner: this tab's random id
  /** No persistent storage works: this tab's events are in its memory, where no sender in another tab can read them. */
  let memoryOnly = false;
  return {
    storage: createTieredStorage([
      () => (hasIndexedDb() ? createIdbStorage() : undefined),
      () => (ls ? createLocalStorage(ls) : undefined),
      () => void (memoryOnly = true), // tried only when both failed: memory comes next
    ]),
    transport: createFetchTransport(getFetch),
    randomBytes,
    utf8Length,
    context: () => readBrowserContext(getBrowserScope()),
    gzip: getGzip(),
    beacon: getBeacon(),
    lifecycle: listenLifecycle,
    onRouteChange: listenRoutes,
    whenShown,
    // Asked for once the storage is chosen (the client reads its state first). Memory only: there is
    // nothing to share, so no lock (the client then sends this tab's events itself).
    lock: lock && ((name, run) => (memoryOnly ? Promise.reject(new Error('memory storage')) : lock(name, run))),
    syncStore,
    landing: getLanding,
  };
}
