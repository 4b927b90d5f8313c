import { createClient, type Client } from './core/client';
import type { ClientConfig } from './core/config';
import { withFullStorage } from './core/full-storage';
import type { Platform } from './core/types';
import { createNodePlatform } from './platform/node/platform';

export type * from './public-types';
export { createMemoryStorage } from './platform/memory-storage';
export { SDK_VERSION } from './core/version';

/**
 * A client for Node: memory storage and fetch, no page context. Pass `storage` to keep the device id
 * and seq across restarts. Call `close()` before exit: timers do not keep the process alive.
 */
export function createEventline(config: ClientConfig, overrides: Partial<Platform> = {}): Client {
  return createClient(config, withFullStorage({ ...createNodePlatform(), ...overrides }));
}
