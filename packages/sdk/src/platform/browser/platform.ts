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
  const locks = getLocks();
  return {
    storage: createTieredStorage([
      () => (hasIndexedDb() ? createIdbStorage() : undefined),
      () => (ls ? createLocalStorage(ls) : undefined),
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
    lock: locks
      ? locks
      : syncStore && createStorageLock(syncStore, randomBytes(8).join('.'), () => Date.now()), // owner: this tab's random id
    syncStore,
    landing: getLanding,
  };
}
