import { createClient } from './core/client';
import type { ClientConfig } from './core/config';
import { withFullStorage } from './core/full-storage';
import type { Platform } from './core/types';
import { withCallIdentity, type NodeClient } from './platform/node/per-call-identity';
import { createNodePlatform } from './platform/node/platform';

export type * from './public-types';
export { createMemoryStorage } from './platform/memory-storage';
export type { CallIdentity, NodeClient } from './platform/node/per-call-identity';
export { SDK_VERSION } from './core/version';

/**
 * A client for Node: memory storage and fetch, no page context. Pass `storage` to keep the device id
 * and seq across restarts. Call `close()` before exit: timers do not keep the process alive. Each
 * event call takes an optional `{ userId, anonymousId }`: that event's identity (a server tracks many users).
 */
export function createEventline(config: ClientConfig, overrides: Partial<Platform> = {}): NodeClient {
  const client = createClient(withNodeDefaults(config), withFullStorage({ ...createNodePlatform(), ...overrides }));
  return withCallIdentity(client);
}

/**
 * A server is not a phone: it tracks many users' events through one client, and a short ingest outage
 * fills a 1000-event queue in seconds. 10,000 events / 10 MB ride out more of it, and cost a server
 * little memory. Set only where the config leaves them out (an explicit `undefined` too).
 */
function withNodeDefaults(config: ClientConfig): ClientConfig {
  return { ...config, maxQueue: config.maxQueue ?? 10_000, maxQueueBytes: config.maxQueueBytes ?? 10_000_000 };
}
