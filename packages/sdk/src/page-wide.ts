import type { Client, CoreClient } from './core/client';
import { resolveConfig, type ClientConfig } from './core/config';
import { toJson } from './core/wire-json';
import { ANSWERING, createDefaultInstance, DEFERRED, type EventlineApi } from './default-instance';
import { globalShared, isServer } from './platform/browser/global-scope';
import { createServerApi } from './server-api';

/** The key on the global: one per major API (a copy of another major version keeps its own instance). */
export const PAGE_WIDE_KEY = 'eventline.page-wide.v1';

/** What the global holds: the instance, and the write key and endpoint of the init() that made its client. */
interface Shared {
  api: EventlineApi;
  owner?: string;
}

/**
 * Left by a copy of this major version: every method of the page-wide API there ("never throws" holds
 * for calls through it). The list is made here, not at the top of a module: a bundler keeps a top-level
 * spread (it cannot know it is pure), in every bundle importing anything from the package.
 */
function fits(found: unknown): found is Shared {
  const api = (found as { api?: Record<string, unknown> } | null | undefined)?.api;
  return typeof api === 'object' && api !== null && [...DEFERRED, ...ANSWERING, 'init'].every((name) => typeof api[name] === 'function');
}

/** The project a config names, as the client reads it: `https://x`, `https://x/` and `https://x/v1/batch` are one (throws on a config init() would refuse). */
function ownerOf(config: ClientConfig): string {
  const { writeKey, endpoint } = resolveConfig(config);
  return toJson([writeKey, endpoint]); // the same text whether or not a Prototype.js loaded in between
}

/** The instance on the global; where it cannot be shared, this copy's own, which says so at a call it holds. */
function placeOnGlobal(make: (config: ClientConfig) => CoreClient): Shared {
  const { value, shared } = globalShared<Shared>(PAGE_WIDE_KEY, () => ({ api: createDefaultInstance(make) }), fits);
  return shared ? value : { api: toldWhileHeld(value.api) };
}

/**
 * A copy that cannot share (a frozen global: SES lockdown; another major version's slot) holds its calls
 * until its own init(): a copy that never calls it (a dependency's) would hold them unseen for ever.
 * Its first call held before init() says so, once.
 */
function toldWhileHeld(api: EventlineApi): EventlineApi {
  let ready = false;
  let told = false;
  const init = (config: ClientConfig) => {
    const client = api.init(config);
    ready = true;
    return client;
  };
  const held: EventlineApi = { ...api, init };
  for (const name of DEFERRED) {
    (held as unknown as Record<string, (...args: unknown[]) => void>)[name] = (...args) => {
      if (!ready && !told) {
        told = true;
        console.warn(
          'eventline: this copy of the SDK cannot share the page-wide instance (the global takes no new property, as under SES lockdown, ' +
            "or holds another major version's): its calls wait for its own init(), and are never sent if this copy never calls init().",
        );
      }
      (api[name] as (...a: unknown[]) => void)(...args);
    };
  }
  return held;
}

/**
 * The page-wide instance of one copy of the SDK. On a server: a no-op, kept here, never on the global
 * (a document that appears later, as a test environment's, gets a real one). In a page: the instance on
 * the global, shared with every copy that init()s with the same write key and endpoint, or never init()s
 * (a dependency's `require`d build); a copy whose init() names another project keeps its own.
 */
export function createPageWide(make: (config: ClientConfig) => CoreClient): { api: () => EventlineApi; init: (config: ClientConfig) => Client } {
  let server: EventlineApi | undefined;
  let shared: Shared | undefined;
  let own: EventlineApi | undefined;
  let joined = false;

  const sharedOne = () => (shared ??= placeOnGlobal(make));
  const api = () => (isServer() ? (server ??= createServerApi()) : (own ?? sharedOne().api));

  function init(config: ClientConfig): Client {
    // On a server the no-op; on this copy's second init(), its first client.
    if (isServer() || own || joined) return api().init(config);
    const one = sharedOne();
    const owner = ownerOf(config);
    if (one.owner === undefined || one.owner === owner) {
      const client = one.api.init(config);
      one.owner ??= owner;
      joined = true;
      return client;
    }
    own = createDefaultInstance(make);
    console.warn(
      'eventline: init() with another write key or endpoint than the page-wide instance another copy of the SDK in this page made: ' +
        'this copy keeps its own instance, and its calls from now on go to its own project (any it made before this init() went to that instance: call init() first).',
    );
    return own.init(config);
  }

  return { api, init };
}
