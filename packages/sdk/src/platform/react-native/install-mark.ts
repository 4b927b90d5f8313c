import { startTimer, type TimerHandle } from '../../core/timer';
import type { CoreStorage } from '../../core/types';

export const INSTALLED = 'eventline.installed';
/**
 * Longest wait for the install mark. Calls made meanwhile wait behind the first-open gate, in memory,
 * and flush()/close() with them: a read that never settles (a stuck AsyncStorage native module) would
 * hold them forever. A working read answers in milliseconds; 2 s leave room for a cold start.
 */
export const INSTALL_READ_TIMEOUT_MS = 2000;

/**
 * Whether the next open is this install's first (no install mark stored). A read that fails, or does
 * not answer within INSTALL_READ_TIMEOUT_MS, claims no first open: a first open cannot be told from a
 * later one, and a second af_first_open would count the install twice.
 */
export function readFirstOpen(storage: CoreStorage): Promise<boolean> {
  let timer: TimerHandle | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = startTimer(() => resolve(false), INSTALL_READ_TIMEOUT_MS)));
  const read = storage.get<boolean>(INSTALLED).then(
    (mark) => mark !== true,
    () => false,
  );
  // Cleared once the read answers: the timer must not outlive it (a Node test process would wait for it).
  return Promise.race([read, timedOut]).finally(() => clearTimeout(timer));
}
