import { createClient, type Client, type CoreClient } from './core/client';
import type { ClientConfig } from './core/config';
import type { Platform } from './core/types';
import { withFullStorage } from './core/full-storage';
import type { EventlineApi } from './default-instance';
import { createPageWide } from './page-wide';
import { hasDocument, isServer } from './platform/browser/global-scope';
import { createBrowserPlatform } from './platform/browser/platform';
import { createServerClient } from './server-api';

export type * from './public-types';
export { createMemoryStorage } from './platform/memory-storage';
export { SDK_VERSION } from './core/version';

/**
 * A client for the browser: IndexedDB, else localStorage, else memory, fetch, page context. Override any seam.
 * With no document (a server rendering the page) it is a no-op client, as the page-wide API is
 * (server-api.ts), which says so once on the console at its first event call; unless `overrides` bring a transport: then it is a
 * real client there too (a unit test in Node, a script that chose where its events go).
 */
export function createEventline(config: ClientConfig, overrides: Partial<Platform> = {}): Client {
  return !isServer() || overrides.transport ? browserClient(config, overrides) : createServerClient();
}

/**
 * With no document (a script or a unit test with a transport, a worker) `autoPage` defaults to off: a
 * page view there has no page, and came once per script run or test. An explicit `autoPage: true` holds.
 */
function browserClient(config: ClientConfig, overrides: Partial<Platform> = {}): CoreClient {
  const pageless = config.autoPage === undefined && !hasDocument();
  return createClient(pageless ? { ...config, autoPage: false } : config, withFullStorage({ ...createBrowserPlatform(), ...overrides }));
}

/**
 * The page-wide instance, made at its first call: a bundle that imports only `createEventline` (or a
 * type) leaves it out. Each export below is a plain function for that reason: a bundler keeps a
 * module's top-level calls (it cannot know they are pure), so `const x = createDefaultInstance()`
 * at the top would ship in every bundle that imports anything from here. During server rendering
 * (no document) it is a no-op API: see server-api.ts. It is kept on the global, so the ESM and the CJS
 * build (or two copies) bundled into one page share it: `init()` through one, `track()` through the
 * other; a copy that init()s another write key or endpoint keeps its own (page-wide.ts).
 */
let pageWide: ReturnType<typeof createPageWide> | undefined;
const instance = () => (pageWide ??= createPageWide((config) => browserClient(config)));
const api = (): EventlineApi => instance().api();

/** The page-wide instance: `init` once, then `track` anywhere. */
export const init: EventlineApi['init'] = (config) => instance().init(config);
export const track: EventlineApi['track'] = (...args) => api().track(...args);
export const identify: EventlineApi['identify'] = (...args) => api().identify(...args);
export const page: EventlineApi['page'] = (...args) => api().page(...args);
export const screen: EventlineApi['screen'] = (...args) => api().screen(...args);
export const alias: EventlineApi['alias'] = (...args) => api().alias(...args);
export const group: EventlineApi['group'] = (...args) => api().group(...args);
export const setConsent: EventlineApi['setConsent'] = (consent) => api().setConsent(consent);
export const optOut: EventlineApi['optOut'] = () => api().optOut();
export const optIn: EventlineApi['optIn'] = () => api().optIn();
export const anonymize: EventlineApi['anonymize'] = (on) => api().anonymize(on);
export const reset: EventlineApi['reset'] = () => api().reset();
export const flush: EventlineApi['flush'] = () => api().flush();
export const getDeviceId: EventlineApi['getDeviceId'] = () => api().getDeviceId();
export const on: EventlineApi['on'] = (name, listener) => api().on(name, listener);
