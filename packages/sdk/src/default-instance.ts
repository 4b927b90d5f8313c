import type { Client } from './core/client';
import type { ClientConfig } from './core/config';

/** Methods that only queue something: before init() they wait and are replayed in order. */
export const DEFERRED = ['track', 'identify', 'page', 'screen', 'alias', 'group', 'setConsent', 'optOut', 'optIn', 'anonymize', 'reset'] as const;
type Deferred = (typeof DEFERRED)[number];

/** The page-wide API: one client, created by init(), with calls made before init() replayed. */
export type EventlineApi = Pick<Client, Deferred | 'flush' | 'getDeviceId' | 'on'> & {
  /** Create the client. A second call returns the first client and ignores its config. */
  init: (config: ClientConfig) => Client;
};

/** Calls made before init() wait here; past this many, the oldest is discarded. */
const MAX_EARLY_CALLS = 1000;

export function createDefaultInstance(make: (config: ClientConfig) => Client): EventlineApi {
  let client: Client | undefined;
  const early: ((c: Client) => void)[] = [];

  function later(call: (c: Client) => void): void {
    early.push(call);
    if (early.length > MAX_EARLY_CALLS) early.shift();
  }

  const api = {
    init(config: ClientConfig) {
      if (client) return client;
      const created = make(config);
      client = created;
      for (const call of early.splice(0)) call(created);
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
  for (const name of DEFERRED) {
    (api as unknown as Record<string, (...args: unknown[]) => void>)[name] = (...args: unknown[]) => {
      const run = (c: Client) => (c[name] as (...a: unknown[]) => void)(...args);
      if (client) run(client);
      else later(run);
    };
  }
  return api;
}
