import type { Storage } from './types';

export const KEYS = { deviceId: 'eventline.device_id', seq: 'eventline.seq' } as const;

export interface Identity {
  deviceId: string;
  /** The seq the next event gets. */
  nextSeq: number;
}

/**
 * Load the device id (creating and saving it the first time) and the next seq.
 * A storage that fails still yields a usable identity; the error goes to `onError`.
 */
export async function loadIdentity(
  storage: Storage,
  newId: () => string,
  onError: (error: unknown) => void,
): Promise<Identity> {
  let deviceId: unknown;
  let seq: unknown;
  try {
    deviceId = await storage.get<string>(KEYS.deviceId);
    seq = await storage.get<number>(KEYS.seq);
  } catch (error) {
    onError(error);
  }
  const identity: Identity = {
    deviceId: typeof deviceId === 'string' && deviceId !== '' ? deviceId : newId(),
    nextSeq: typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? seq : 0,
  };
  if (identity.deviceId !== deviceId) {
    try {
      await storage.set(KEYS.deviceId, identity.deviceId);
    } catch (error) {
      onError(error);
    }
  }
  return identity;
}

/**
 * Saves the latest seq without piling up writes: at most one write in flight, and the
 * value written is always the newest. `settled()` resolves once the newest value is stored.
 */
export function createSeqWriter(storage: Storage, onError: (error: unknown) => void) {
  let latest = -1;
  let written = -1;
  let running: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (written !== latest) {
      const value = latest;
      try {
        await storage.set(KEYS.seq, value);
      } catch (error) {
        onError(error);
      }
      written = value;
    }
    running = undefined;
  }

  return {
    save(nextSeq: number): void {
      latest = nextSeq;
      running ??= drain();
    },
    settled(): Promise<void> {
      return running ?? Promise.resolve();
    },
  };
}
