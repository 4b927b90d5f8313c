import { createClient } from './core/client';
import type { ClientConfig } from './core/config';
import { withFullStorage } from './core/full-storage';
import type { Platform } from './core/types';
import { closeWithin } from './platform/node/close';
import { closeAtExit } from './platform/node/exit-hook';
import { withCallIdentity, type NodeClient } from './platform/node/per-call-identity';
import { createNodePlatform } from './platform/node/platform';

export type * from './public-types';
export { createMemoryStorage } from './platform/memory-storage';
export type { CallIdentity, NodeClient } from './platform/node/per-call-identity';
export { SDK_VERSION } from './core/version';

/** The Node entry's config: the client's, and how long close() may take. */
export interface NodeConfig extends ClientConfig {
  /**
   * The longest close() takes. With a storage that ends with the process (the client's own memory
   * storage, `createMemoryStorage()`, any storage with `persistent: false`), close() keeps retrying
   * what is queued (the usual backoff) while the next try comes within this time, then drops what is
   * left with a 'drop' notice, reason 'closed'. With a persistent storage passed in, close() tries once
   * and the events it did not deliver stay stored for the next start. Either way a request still
   * unanswered at this point is aborted (its events are in that drop, or stay stored). Default 5000.
   */
  closeTimeoutMs?: number;
}

/**
 * A client for Node: memory storage and fetch, no page context. Pass a persistent `storage` to keep
 * the device id, seq and unsent events across restarts. Call `close()` before exit: timers do not keep
 * the process alive (a script that never calls it is closed at `beforeExit`, see exit-hook.ts). Each
 * event call takes an optional `{ userId, anonymousId }`: that event's identity (a server tracks many users).
 */
export function createEventline(config: NodeConfig, overrides: Partial<Platform> = {}): NodeClient {
  const closeTimeoutMs = config.closeTimeoutMs ?? 5000;
  if (!Number.isInteger(closeTimeoutMs) || closeTimeoutMs < 0) throw new TypeError('eventline: invalid closeTimeoutMs');
  const given = { ...createNodePlatform(), ...overrides };
  const platform = withFullStorage(given);
  const client = createClient(withNodeDefaults(config), platform);
  // A queue that ends with the process (a memory storage, its own or passed in): close() is its last chance.
  const volatile = given.storage.persistent === false;
  const close = () => {
    forget();
    return closeWithin(client, closeTimeoutMs, overrides.now ?? Date.now, volatile);
  };
  // The platform: the core's timers and requests reach it while the client has anything to send.
  const forget = closeAtExit(platform, close);
  return { ...withCallIdentity(client), close };
}

/**
 * A server is not a phone: it tracks many users' events through one client, and a short ingest outage
 * fills a 1000-event queue in seconds. 10,000 events / 10 MB ride out more of it, and cost a server
 * little memory. Set only where the config leaves them out (an explicit `undefined` too).
 */
function withNodeDefaults(config: ClientConfig): ClientConfig {
  return { ...config, maxQueue: config.maxQueue ?? 10_000, maxQueueBytes: config.maxQueueBytes ?? 10_000_000 };
}
