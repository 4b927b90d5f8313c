import { unstorable } from './clip';
import { badId } from './draft';
import type { Campaign } from './types-campaign';
import type { CoreStorage } from './types';

/** Everything the SDK remembers about the device, in one entry (one write per change, coalesced). */
export const STATE_KEY = 'eventline.state';
/** The latest optOut()/optIn() of any tab, `true` or `false`, in the shared sync store (localStorage) and in Storage. */
export const OPT_OUT_KEY = 'eventline.optout';

export interface Session {
  id: string;
  /** Last activity, ms. */
  last: number;
}

/** What the SDK remembers about this device; loaded once, then kept in memory and written back. */
export interface State {
  deviceId: string;
  userId?: string;
  session?: Session;
  optOut: boolean;
  anonymized: boolean;
  firstTouch?: Campaign;
  lastTouch?: Campaign;
}

/**
 * Load the state (creating and saving the device id the first time); resolves with the state and
 * whether the stored one could not be read. A read that throws is tried again after `retryMs`, 2× and
 * 4× that (AsyncStorage busy at start, IndexedDB's connection lost): the stored state may hold the
 * only copy of the opt-out and the device id. If it still throws, the state is a fresh one that the
 * caller must not write over the stored one (the next start reads it). A value that is not JSON
 * (SyntaxError) counts as nothing stored. Each failure goes to `onError`. The stored opt-out record
 * (OPT_OUT_KEY) is read with it and wins over the state's copy, unless `wrote()`: this client has
 * written the record since (an optOut()/optIn() while consent was pending, behind React Native's
 * first-open gate, or before a read tried again), and its calls before that one go by the state.
 */
export async function loadState(storage: CoreStorage, newId: () => string, onError: (error: unknown) => void, retryMs: number, wrote: () => boolean): Promise<[State, boolean]> {
  let saved: Partial<State> | undefined;
  let optOut: unknown;
  let unread = false;
  for (let attempt = 0; ; attempt++) {
    try {
      // Both asked at once, as the client starts: an optOut()/optIn() it makes later is ordered after
      // them. A read tried again after one would see it: the record is then left out.
      [saved, optOut] = await Promise.all([storage.get<Partial<State>>(STATE_KEY), wrote() ? undefined : storage.get(OPT_OUT_KEY)]);
      break;
    } catch (error) {
      onError(error);
      if (error instanceof SyntaxError || (unread = attempt > 2)) break;
      await new Promise((resolve) => setTimeout(resolve, retryMs << attempt));
    }
  }
  const v = isObject(saved) ? saved : {};
  const session = isObject(v.session) ? v.session : undefined;
  // A touch as this version stores it: an object of storable strings (an older version kept U+0000 in
  // one: first touch is never replaced, and every event carrying it was refused).
  const touch = (t: unknown) => (isObject(t) && Object.values(t).every((x) => typeof x === 'string' && !unstorable(x)) ? (t as Campaign) : undefined);
  const state: State = {
    // An id the ingest refuses (an older version kept a user id with U+0000) would get every event refused.
    deviceId: badId(v.deviceId) ? newId() : (v.deviceId as string),
    userId: badId(v.userId) ? undefined : v.userId,
    session: typeof session?.id === 'string' && typeof session.last === 'number' ? session : undefined,
    // The last optOut()/optIn(), stored at once (the state's copy may lag behind it).
    optOut: (optOut ?? v.optOut) === true,
    anonymized: v.anonymized === true,
    firstTouch: touch(v.firstTouch),
    lastTouch: touch(v.lastTouch),
  };
  if (!unread && state.deviceId !== v.deviceId) {
    try {
      await storage.setMany([[STATE_KEY, state]]);
    } catch (error) {
      onError(error);
    }
  }
  return [state, unread];
}

/** The session for an event at `now`: the current one, or a new one after `timeoutMs` of inactivity. */
export function touchSession(current: Session | undefined, now: number, timeoutMs: number, newId: () => string): Session {
  if (!current || now - current.last >= timeoutMs) return { id: newId(), last: now };
  current.last = now;
  return current;
}

/**
 * Saves the state without piling up writes: at most one write in flight, and what is written is
 * always the newest state. `settled()` resolves once the newest state is stored. Once this client
 * knows what Storage holds (`known`: loaded or written), it reads the state before each write:
 * - gone: Storage was cleared under the page (Clear-Site-Data, a site's logout clean-up; no tab
 *   deletes it), and `onCleared(state)` changes the state before it is written (the old device id
 *   written back would restart its seq counter at 0);
 * - another device id while this client kept the one it knew: another tab moved on (it saw the clear
 *   first, or a reset()), and `onCleared(state, id)` adopts that id. Writing the old id over it would
 *   bring back a device whose counter may be gone.
 */
export function createStateWriter(storage: CoreStorage, onError: (error: unknown) => void, onCleared: (state: State, storedId?: string) => void) {
  let pending: State | undefined;
  let running: Promise<void> | undefined;
  let known: string | undefined;

  async function drain(): Promise<void> {
    while (pending) {
      const state = pending;
      pending = undefined;
      try {
        // Gone (no id), or another tab's id while this client kept the one it knew.
        const id = known && (await storage.get<Partial<State>>(STATE_KEY))?.deviceId;
        if (known && id !== known && state.deviceId === known) onCleared(state, id);
        await storage.setMany([[STATE_KEY, state]]);
        known = state.deviceId;
      } catch (error) {
        onError(error);
      }
    }
    running = undefined;
  }

  return {
    save(state: State): void {
      pending = state;
      running ??= drain();
    },
    settled: (): Promise<void> => running ?? Promise.resolve(),
    /** The device id Storage holds, as this client loaded it. */
    known: (id: string): void => void (known = id),
  };
}

/** A plain object (not null, not an array): what stored state and server bodies must be. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
