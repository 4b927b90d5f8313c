import type { Platform } from '../../core/types';
// These only touch web-standard globals that Node 20 has too.
import { getFetch, getGzip, randomBytes } from '../browser/global-scope';
import { createFetchTransport } from '../browser/transport-fetch';
import { createMemoryStorage } from '../memory-storage';

/** The Node adapter: memory storage (pass a Storage to persist), fetch, gzip, no page context, one sender. */
export function createNodePlatform(): Platform {
  return {
    storage: createMemoryStorage(),
    transport: createFetchTransport(getFetch),
    randomBytes,
    context: () => ({}),
    gzip: getGzip(),
  };
}
