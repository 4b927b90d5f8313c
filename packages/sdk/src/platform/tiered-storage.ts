import type { CoreStorage } from '../core/types';
import { createMemoryStore } from './memory-storage';

const PROBE = 'eventline.probe';

/**
 * The first candidate that passes a write/read/remove probe (e.g. IndexedDB, then localStorage),
 * else memory. Probed once, lazily, on first use. A candidate that is absent, throws or fails the
 * probe is skipped silently (the core works the same on each tier).
 */
export function createTieredStorage(candidates: (() => CoreStorage | undefined)[]): CoreStorage {
  let picked: Promise<CoreStorage> | undefined;

  async function pick(): Promise<CoreStorage> {
    for (const make of candidates) {
      try {
        const storage = make();
        if (!storage) continue;
        await storage.setMany([[PROBE, 1]]);
        if ((await storage.get(PROBE)) !== 1) continue;
        await storage.removeMany([PROBE]);
        return storage;
      } catch {
        // handled: the next candidate, then memory
      }
    }
    return createMemoryStore();
  }

  const use = () => (picked ??= pick());
  return {
    get: <T>(key: string) => use().then((s) => s.get<T>(key)),
    keys: (prefix) => use().then((s) => s.keys(prefix)),
    setMany: (entries) => use().then((s) => s.setMany(entries)),
    removeMany: (keys) => use().then((s) => s.removeMany(keys)),
    reserve: (key, count) => use().then((s) => s.reserve(key, count)),
  };
}
