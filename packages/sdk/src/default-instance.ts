import type { EventProperties } from '@eventline/schemas';
import type { Client, EventName } from './core/client';
import type { ClientConfig } from './core/config';
import type { ClientNotices } from './core/notices';

/** The page-wide API: one client, created by init(), with calls made before init() replayed. */
export interface EventlineApi {
  /** Create the client. A second call returns the first client and ignores its config. */
  init: (config: ClientConfig) => Client;
  track: (name: EventName, properties?: EventProperties) => void;
  flush: () => Promise<void>;
  getDeviceId: () => Promise<string>;
  on: <K extends keyof ClientNotices>(name: K, listener: (payload: ClientNotices[K]) => void) => () => void;
}

/** Calls made before init() wait here; past this many, the oldest is discarded. */
const MAX_EARLY_CALLS = 1000;

export function createDefaultInstance(make: (config: ClientConfig) => Client): EventlineApi {
  let client: Client | undefined;
  const early: ((c: Client) => void)[] = [];

  function later(call: (c: Client) => void): void {
    early.push(call);
    if (early.length > MAX_EARLY_CALLS) early.shift();
  }

  return {
    init(config) {
      if (client) return client;
      const created = make(config);
      client = created;
      for (const call of early.splice(0)) call(created);
      return created;
    },
    track(name, properties) {
      if (client) client.track(name, properties);
      else later((c) => c.track(name, properties));
    },
    flush() {
      return client ? client.flush() : Promise.resolve();
    },
    getDeviceId() {
      return client ? client.getDeviceId() : Promise.reject(new Error('eventline: call init() first'));
    },
    on(name, listener) {
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
    },
  };
}
