import { reserve } from '../core/seq';
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
  let picked: Promise<[string, Storage]> | undefined;

  async function pick(): Promise<[string, Storage]> {
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
    keys: (prefix) => use().then((s) => s.keys?.(prefix) ?? s.entries(prefix).then((list) => list.map(([key]) => key))),
    setMany: (entries) => use().then((s) => s.setMany(entries)),
    removeMany: (keys) => use().then((s) => s.removeMany(keys)),
    reserve: (key, count) => use().then((s) => reserve(s, key, count)),
    chosen: () => choice().then((c) => c[0]),
  };
}
