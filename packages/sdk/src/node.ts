import { createClient } from './core/client';
import type { ClientConfig } from './core/config';
import { withFullStorage } from './core/full-storage';
import type { Platform } from './core/types';
import { closeWithRetries } from './platform/node/close';
import { closeAtExit } from './platform/node/exit-hook';
import { withCallIdentity, type NodeClient } from './platform/node/per-call-identity';
import { createNodePlatform } from './platform/node/platform';

export type * from './public-types';
export { createMemoryStorage } from './platform/memory-storage';
export type { CallIdentity, NodeClient } from './platform/node/per-call-identity';
export { SDK_VERSION } from './core/version';

/** The Node entry's config: the client's, and how long close() may keep trying. */
export interface NodeConfig extends ClientConfig {
  /**
   * close() keeps retrying what is queued (with the usual backoff) for up to this long, then drops
   * what is left with a 'drop' notice, reason 'closed'. Only with the client's own memory storage:
   * a storage passed in keeps the events for the next start. Default 5000.
   */
  closeTimeoutMs?: number;
}

/**
 * A client for Node: memory storage and fetch, no page context. Pass `storage` to keep the device id
 * and seq across restarts. Call `close()` before exit: timers do not keep the process alive (a script
 * that never calls it is closed at `beforeExit`, see exit-hook.ts). Each
 * event call takes an optional `{ userId, anonymousId }`: that event's identity (a server tracks many users).
 */
export function createEventline(config: NodeConfig, overrides: Partial<Platform> = {}): NodeClient {
  const closeTimeoutMs = config.closeTimeoutMs ?? 5000;
  if (!Number.isInteger(closeTimeoutMs) || closeTimeoutMs < 0) throw new TypeError('eventline: invalid closeTimeoutMs');
  const platform = withFullStorage({ ...createNodePlatform(), ...overrides });
  const client = createClient(withNodeDefaults(config), platform);
  // Its own memory storage dies with the process: close() is the queue's last chance.
  const ownQueue = !overrides.storage;
  const close = () => {
    forget();
    return ownQueue ? closeWithRetries(client, closeTimeoutMs, overrides.now ?? Date.now) : client.close();
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
