import { startTimer, type TimerHandle } from '../core/timer';
import type { CoreStorage } from '../core/types';
import { createMemoryStore } from './memory-storage';

const PROBE = 'eventline.probe';
/**
 * How long a candidate's probe may take before the next one is used. An IndexedDB open can stay
 * pending forever (Safari 14, webkit.org/b/226547; or behind another tab's blocked deleteDatabase),
 * and until the probe settles nothing is stored or sent. A working one opens in milliseconds; a few
 * seconds leave room for a slow disk at browser start, since giving up on it splits this tab's storage
 * from the other tabs'.
 */
export const PROBE_TIMEOUT_MS = 5000;

/**
 * The first candidate that passes a write/read/remove probe (e.g. IndexedDB, then localStorage),
 * else memory. Probed once, lazily, on first use. A candidate that is absent, throws or fails the
 * probe is skipped silently (the core works the same on each tier); one whose probe does not settle
 * within PROBE_TIMEOUT_MS is skipped and reported to the `onFallback` listener.
 */
export function createTieredStorage(candidates: (() => CoreStorage | undefined)[]): CoreStorage {
  let picked: Promise<CoreStorage> | undefined;
  let report: ((error: unknown) => void) | undefined;

  async function pick(): Promise<CoreStorage> {
    for (const make of candidates) {
      try {
        const storage = make();
        let timer: TimerHandle | undefined;
        // true: passed, false: failed, undefined: no answer in time.
        const passed = storage && (await Promise.race([probe(storage), new Promise<undefined>((resolve) => (timer = startTimer(() => resolve(undefined), PROBE_TIMEOUT_MS)))]));
        clearTimeout(timer);
        if (passed) return storage;
        if (storage && passed === undefined) report?.(new Error('storage timeout'));
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
    onFallback: (listener) => void (report = listener),
  };
}

async function probe(storage: CoreStorage): Promise<boolean> {
  await storage.setMany([[PROBE, 1]]);
  if ((await storage.get(PROBE)) !== 1) return false;
  await storage.removeMany([PROBE]);
  return true;
}
