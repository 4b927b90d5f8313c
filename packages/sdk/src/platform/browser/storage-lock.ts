import { readJson } from '../../core/sync-json';
import { toJson } from '../../core/wire-json';
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
 *
 * Unlike a Web Lock, a lease can be lost while held: a tab whose main thread is blocked for longer
 * than `ttlMs` cannot renew, and another tab takes over. So `run` is given `held()`, true only while
 * the lease is this tab's and unexpired (the sender asks before each send: on waking, a send timer
 * can fire before the renew tick), and a tick that finds the lease gone waits for it again; `run` is
 * called again once it is ours.
 */
export function createStorageLock(store: SyncStore, owner: string, now: () => number, renewMs = 1000, ttlMs = 4000, confirmMs = 50): LockFn {
  // Rejects when the lease cannot be written (localStorage full): there is then no lock the tabs can
  // share, and the client sends this tab's events itself.
  return (name, run) =>
    new Promise<void>((_resolve, reject) => {
      const key = `eventline.lock.${name}`;
      let state = WAITING;
      // An unreadable lease counts as free.
      const read = () => readJson(store, key) as Lease | undefined;
      const write = (value: string) => {
        try {
          store.set(key, value);
          return true;
        } catch (error) {
          state = DONE;
          clearInterval(timer);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what localStorage threw, passed on as it is
          reject(error);
        }
      };
      const claim = () => write(toJson({ owner, until: now() + ttlMs }));
      const held = () => {
        const lease = read();
        return state === HELD && lease?.owner === owner && lease.until > now();
      };
      const tick = () => {
        if (state === DONE) return;
        const lease = read();
        const mine = lease?.owner === owner;
        if (state === HELD && mine) return void claim();
        if (state === CLAIMED && mine) {
          if (!claim()) return;
          state = HELD;
          void run(held).finally(() => {
            state = DONE;
            clearInterval(timer);
            if (read()?.owner === owner) write('');
          });
          return;
        }
        state = WAITING;
        if ((!lease || lease.until <= now()) && claim()) {
          state = CLAIMED;
          setTimeout(tick, confirmMs);
        }
      };
      const timer = setInterval(tick, renewMs);
      tick();
    });
}
