import type { Storage } from '../core/types';
import { createMemoryStorage } from './memory-storage';

const PROBE = 'eventline.probe';

/**
 * The first candidate that passes a write/read/remove probe (e.g. IndexedDB, then localStorage),
 * else memory. Probed once, lazily, on first use. `onFallback` hears why each candidate was skipped.
 */
export function createTieredStorage(
  candidates: { name: string; make: () => Storage | undefined }[],
  onFallback: (name: string, error: unknown) => void = () => undefined,
): Storage & { chosen: () => Promise<string> } {
  let picked: Promise<{ name: string; storage: Storage }> | undefined;

  async function pick(): Promise<{ name: string; storage: Storage }> {
    for (const { name, make } of candidates) {
      try {
        const storage = make();
        if (!storage) continue;
        await storage.setMany([[PROBE, 1]]);
        if ((await storage.get(PROBE)) !== 1) throw new Error('probe');
        await storage.removeMany([PROBE]);
        return { name, storage };
      } catch (error) {
        onFallback(name, error);
      }
    }
    return { name: 'memory', storage: createMemoryStorage() };
  }

  const use = async () => (await (picked ??= pick())).storage;
  return {
    get: async <T>(key: string) => (await use()).get<T>(key),
    entries: async <T>(prefix: string) => (await use()).entries<T>(prefix),
    keys: async (prefix) => {
      const storage = await use();
      return storage.keys ? storage.keys(prefix) : (await storage.entries(prefix)).map(([key]) => key);
    },
    setMany: async (entries) => (await use()).setMany(entries),
    removeMany: async (keys) => (await use()).removeMany(keys),
    chosen: async () => (await (picked ??= pick())).name,
  };
}
