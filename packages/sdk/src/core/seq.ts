import type { CoreStorage } from './types';

const SEQ_PREFIX = 'eventline.seq.';
/** Numbers a client reserves at a time; it keeps one spare block reserved ahead of the one in use. */
export const SEQ_BLOCK = 200;

/**
 * `seq` numbers unique per device across tabs: each client reserves blocks of SEQ_BLOCK from a
 * per-device counter that Storage increments atomically (one IndexedDB readwrite transaction;
 * tabs' transactions on the store never overlap). `take` never waits: it returns undefined while
 * the next block is being reserved, and `onReady` runs when it is there.
 */
export function createSeq(storage: CoreStorage, onReady: () => void, onError: (error: unknown) => void, onCleared: () => void) {
  let device: string | undefined;
  let next = 0;
  let end = 0;
  let spare: number | undefined;
  let asking: Promise<void> | undefined;

  function use(id: string): void {
    if (id === device) return;
    device = id; // a new device (reset): its own counter
    next = end = 0;
    spare = undefined;
  }

  function ask(id: string): Promise<void> {
    return (asking ??= storage
      .reserve(SEQ_PREFIX + id, SEQ_BLOCK)
      .catch((error: unknown) => {
        onError(error);
        return end; // storage failing: this client's own numbers stay unique, other tabs' may not
      })
      .then((start) => {
        asking = undefined;
        // The counter only grows: a block below this client's own numbers means Storage was cleared
        // under the page, and the device's numbers would repeat. The client moves to a new device.
        if (start < end) onCleared();
        else if (id === device) spare = start;
        onReady();
      }));
  }

  return {
    /** Reserve the first block (at start, so that calls made once the client is ready do not wait). */
    prime(id: string): Promise<void> {
      use(id);
      return ask(id);
    },
    /** The next seq for this device, or undefined until a block is reserved. */
    take(id: string): number | undefined {
      use(id);
      if (next === end && spare !== undefined) {
        next = spare;
        end = spare + SEQ_BLOCK;
        spare = undefined;
      }
      // A spare block at hand: a burst waits only if it outruns a whole block during one reservation.
      if (spare === undefined) void ask(id); // ask() returns the reservation already under way
      return next < end ? next++ : undefined;
    },
  };
}
