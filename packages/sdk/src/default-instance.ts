import type { Client, CoreClient } from './core/client';
import type { ClientConfig } from './core/config';

/** Methods that only queue something: before init() they wait and are replayed in order. */
export const DEFERRED = ['track', 'identify', 'page', 'screen', 'alias', 'group', 'setConsent', 'optOut', 'optIn', 'anonymize', 'reset'] as const;
type Deferred = (typeof DEFERRED)[number];
/** Methods that answer before init() too (a promise, an unsubscribe function). */
export const ANSWERING = ['flush', 'getDeviceId', 'on'] as const;

/** The page-wide API: one client, created by init(), with calls made before init() replayed. */
export type EventlineApi = Pick<Client, Deferred | (typeof ANSWERING)[number]> & {
  /** Create the client. A second call returns the first client and ignores its config (another copy of the SDK in the page: see page-wide.ts). */
  init: (config: ClientConfig) => Client;
};

/** Calls made before init() wait here; past this many, the oldest event call is discarded (one 'drop' notice at init()). */
const MAX_EARLY_CALLS = 1000;

/**
 * DEFERRED's first six make events. The others, and listeners, are never discarded: losing a
 * consent, opt-out or anonymize call would track what the page said not to.
 */
const EVENT_CALLS = 6;

export function createDefaultInstance(make: (config: ClientConfig) => CoreClient): EventlineApi {
  let client: Client | undefined;
  const early: { run: (c: Client) => void; event?: boolean }[] = [];
  let discarded = 0;

  function later(run: (c: Client) => void, event?: boolean): void {
    early.push({ run, event });
    const oldestEvent = early.length > MAX_EARLY_CALLS ? early.findIndex((call) => call.event) : -1;
    if (oldestEvent >= 0) {
      early.splice(oldestEvent, 1);
      discarded++;
    }
  }

  const api = {
    init(config: ClientConfig) {
      if (client) return client;
      const created = make(config);
      client = created;
      for (const call of early.splice(0)) call.run(created);
      // Told once the listeners added before init() are attached (replayed just above): no silent drop.
      if (discarded) created.drop('queue_full', `${discarded} calls before init() discarded`);
      return created;
    },
    flush: () => (client ? client.flush() : Promise.resolve()),
    getDeviceId: () => (client ? client.getDeviceId() : Promise.reject(new Error('eventline: init() first'))),
    on: ((name, listener) => {
      if (client) return client.on(name, listener);
      let off: (() => void) | undefined;
      let cancelled = false;
      later((c) => {
        if (!cancelled) off = c.on(name, listener);
      });
      return () => {
        cancelled = true;
        off?.();
      };
    }),
  } as EventlineApi;
  for (const [index, name] of DEFERRED.entries()) {
    (api as unknown as Record<string, (...args: unknown[]) => void>)[name] = (...args: unknown[]) => {
      const run = (c: Client) => (c[name] as (...a: unknown[]) => void)(...args);
      if (client) run(client);
      else later(run, index < EVENT_CALLS);
    };
  }
  return api;
}
