import { createClient, type Client, type CoreClient } from './core/client';
import type { ClientConfig } from './core/config';
import type { Platform } from './core/types';
import { withFullStorage } from './core/full-storage';
import { createDefaultInstance, type EventlineApi } from './default-instance';
import { createBrowserPlatform } from './platform/browser/platform';

export type * from './public-types';
export { createMemoryStorage } from './platform/memory-storage';
export { SDK_VERSION } from './core/version';

/** A client for the browser: IndexedDB, else localStorage, else memory, fetch, page context. Override any seam. */
export function createEventline(config: ClientConfig, overrides: Partial<Platform> = {}): Client {
  return browserClient(config, overrides);
}

function browserClient(config: ClientConfig, overrides: Partial<Platform> = {}): CoreClient {
  return createClient(config, withFullStorage({ ...createBrowserPlatform(), ...overrides }));
}

const instance = createDefaultInstance((config) => browserClient(config));

/** The page-wide instance: `init` once, then `track` anywhere. */
export const { init, track, identify, page, alias, group, setConsent, optOut, optIn, anonymize, reset, flush, getDeviceId, on } = instance;
export const screen: EventlineApi['screen'] = instance.screen;
