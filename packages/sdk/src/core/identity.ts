import type { Campaign } from './types-campaign';
import type { Storage } from './types';

export const KEYS = {
  deviceId: 'eventline.device_id',
  seq: 'eventline.seq',
  userId: 'eventline.user_id',
  session: 'eventline.session',
  optOut: 'eventline.opt_out',
  anonymized: 'eventline.anonymized',
  firstTouch: 'eventline.first_touch',
  lastTouch: 'eventline.last_touch',
} as const;

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
  const read = (key: string) => storage.get<unknown>(key);
  let values: unknown[] = [];
  try {
    values = await Promise.all(Object.values(KEYS).map(read));
  } catch (error) {
    onError(error);
  }
  const [deviceId, seq, userId, session, optOut, anonymized, firstTouch, lastTouch] = values;
  const state: State = {
    deviceId: typeof deviceId === 'string' && deviceId !== '' ? deviceId : newId(),
    nextSeq: typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? seq : 0,
    userId: typeof userId === 'string' ? userId : undefined,
    session: isSession(session) ? session : undefined,
    optOut: optOut === true,
    anonymized: anonymized === true,
    firstTouch: isObject(firstTouch) ? (firstTouch) : undefined,
    lastTouch: isObject(lastTouch) ? (lastTouch) : undefined,
  };
  if (state.deviceId !== deviceId) {
    try {
      await storage.setMany([[KEYS.deviceId, state.deviceId]]);
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
