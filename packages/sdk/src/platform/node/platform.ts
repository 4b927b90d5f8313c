import type { Platform } from '../../core/types';
// getFetch and randomBytes only touch web-standard globals that Node 20 has too.
import { getFetch, randomBytes } from '../browser/global-scope';
import { createFetchTransport } from '../browser/transport-fetch';
import { createMemoryStorage } from '../memory-storage';

/** The Node adapter: memory storage (one device id per process unless you pass a Storage), fetch, no page context. */
export function createNodePlatform(): Platform {
  return {
    storage: createMemoryStorage(),
    transport: createFetchTransport(getFetch),
    randomBytes,
    context: () => ({}),
  };
}
