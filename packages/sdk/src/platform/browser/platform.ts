import type { Platform } from '../../core/types';
import { readBrowserContext } from './context';
import { getBrowserScope, getFetch, getLocalStorage, randomBytes } from './global-scope';
import { createLocalStorage } from './storage-local';
import { createFetchTransport } from './transport-fetch';

/** The browser adapter: localStorage (memory fallback), fetch, page context. Safe to create during SSR. */
export function createBrowserPlatform(): Platform {
  return {
    storage: createLocalStorage(getLocalStorage),
    transport: createFetchTransport(getFetch),
    randomBytes,
    context: () => readBrowserContext(getBrowserScope()),
  };
}
