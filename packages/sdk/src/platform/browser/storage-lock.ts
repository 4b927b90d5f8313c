import { readJson } from '../../core/sync-json';
import type { LockFn } from '../../core/types';

export interface SyncStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

const WAITING = 0;
const CLAIMED = 1;
const HELD = 2;
const DONE = 3;

interface Lease {
  owner: string;
  until: number;
}

/**
 * The fallback when Web Locks are missing: a lease in localStorage. A tab claims a free or expired
 * lease, and holds it only if it still owns it `confirmMs` later (two tabs writing at once: the
 * last write wins, the other backs off). The holder renews every `renewMs`; a closed tab's lease
 * expires after `ttlMs` and another tab takes over.
 */
export function createStorageLock(store: SyncStore, owner: string, now: () => number, renewMs = 1000, ttlMs = 4000, confirmMs = 50): LockFn {
  return (name, run) => {
    const key = `eventline.lock.${name}`;
    let state = WAITING;
    // An unreadable lease counts as free.
    const read = () => readJson(store, key) as Lease | undefined;
    const claim = () => store.set(key, JSON.stringify({ owner, until: now() + ttlMs }));
    const tick = () => {
      const lease = read();
      const mine = lease?.owner === owner;
      if (state === HELD && mine) return claim();
      if (state === CLAIMED && mine) {
        state = HELD;
        claim();
        void run().finally(() => {
          state = DONE;
          clearInterval(timer);
          if (read()?.owner === owner) store.set(key, '');
        });
        return;
      }
      state = WAITING;
      if (!lease || lease.until <= now()) {
        claim();
        state = CLAIMED;
        setTimeout(tick, confirmMs);
      }
    };
    const timer = setInterval(tick, renewMs);
    tick();
  };
}
