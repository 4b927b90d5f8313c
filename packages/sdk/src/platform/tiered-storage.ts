import type { FullStorage } from '../core/types';
import { createMemoryStorage } from './memory-storage';

const PROBE = 'eventline.probe';

/**
 * The first candidate that passes a write/read/remove probe (e.g. IndexedDB, then localStorage),
 * else memory. Probed once, lazily, on first use. `onFallback` hears why each candidate was skipped.
 */
export function createTieredStorage(
  candidates: { name: string; make: () => FullStorage | undefined }[],
  onFallback: (name: string, error: unknown) => void = () => undefined,
): FullStorage & { chosen: () => Promise<string> } {
  let picked: Promise<[string, FullStorage]> | undefined;

  async function pick(): Promise<[string, FullStorage]> {
    for (const { name, make } of candidates) {
      try {
        const storage = make();
        if (!storage) continue;
        await storage.setMany([[PROBE, 1]]);
        if ((await storage.get(PROBE)) !== 1) throw new Error('probe');
        await storage.removeMany([PROBE]);
        return [name, storage];
      } catch (error) {
        onFallback(name, error);
      }
    }
    return ['memory', createMemoryStorage()];
  }

  const choice = () => (picked ??= pick());
  const use = () => choice().then((c) => c[1]);
  return {
    get: <T>(key: string) => use().then((s) => s.get<T>(key)),
    entries: <T>(prefix: string) => use().then((s) => s.entries<T>(prefix)),
    keys: (prefix) => use().then((s) => s.keys(prefix)),
    setMany: (entries) => use().then((s) => s.setMany(entries)),
    removeMany: (keys) => use().then((s) => s.removeMany(keys)),
    reserve: (key, count) => use().then((s) => s.reserve(key, count)),
    chosen: () => choice().then((c) => c[0]),
  };
}
