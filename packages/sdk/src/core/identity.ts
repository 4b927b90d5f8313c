import type { Campaign } from './types-campaign';
import type { Storage } from './types';

/** Everything the SDK remembers about the device, in one entry (one write per change, coalesced). */
export const STATE_KEY = 'eventline.state';

export interface Session {
  id: string;
  /** Last activity, ms. */
  last: number;
}

/** What the SDK remembers about this device; loaded once, then kept in memory and written back. */
export interface State {
  deviceId: string;
  /** The seq the next event gets. */
  nextSeq: number;
  userId?: string;
  session?: Session;
  optOut: boolean;
  anonymized: boolean;
  firstTouch?: Campaign;
  lastTouch?: Campaign;
}

/**
 * Load the state (creating and saving the device id the first time). A storage that fails still
 * yields a usable state with a fresh device id; the error goes to `onError`.
 */
export async function loadState(storage: Storage, newId: () => string, onError: (error: unknown) => void): Promise<State> {
  let saved: Partial<State> | undefined;
  try {
    saved = await storage.get<Partial<State>>(STATE_KEY);
  } catch (error) {
    onError(error);
  }
  const v = isObject(saved) ? saved : {};
  const state: State = {
    deviceId: typeof v.deviceId === 'string' && v.deviceId !== '' ? v.deviceId : newId(),
    nextSeq: Number.isSafeInteger(v.nextSeq) && (v.nextSeq as number) >= 0 ? (v.nextSeq as number) : 0,
    userId: typeof v.userId === 'string' ? v.userId : undefined,
    session: isSession(v.session) ? v.session : undefined,
    optOut: v.optOut === true,
    anonymized: v.anonymized === true,
    firstTouch: isObject(v.firstTouch) ? v.firstTouch : undefined,
    lastTouch: isObject(v.lastTouch) ? v.lastTouch : undefined,
  };
  if (state.deviceId !== v.deviceId) {
    try {
      await storage.setMany([[STATE_KEY, state]]);
    } catch (error) {
      onError(error);
    }
  }
  return state;
}

/** The session for an event at `now`: the current one, or a new one after `timeoutMs` of inactivity. */
export function touchSession(current: Session | undefined, now: number, timeoutMs: number, newId: () => string): Session {
  if (!current || now - current.last >= timeoutMs) return { id: newId(), last: now };
  current.last = now;
  return current;
}

/**
 * Saves values without piling up writes: at most one write in flight per key, and the value
 * written is always the newest. `settled()` resolves once the newest values are stored.
 */
export function createWriter(storage: Storage, onError: (error: unknown) => void) {
  const latest = new Map<string, unknown>();
  let running: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (latest.size > 0) {
      const [key, value] = latest.entries().next().value as [string, unknown];
      latest.delete(key);
      try {
        await (value === undefined ? storage.removeMany([key]) : storage.setMany([[key, value]]));
      } catch (error) {
        onError(error);
      }
    }
    running = undefined;
  }

  return {
    save(key: string, value: unknown): void {
      latest.set(key, value);
      running ??= drain();
    },
    settled(): Promise<void> {
      return running ?? Promise.resolve();
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSession(value: unknown): value is Session {
  return isObject(value) && typeof value.id === 'string' && typeof value.last === 'number';
}
