import { startTimer, type TimerHandle } from '../../core/timer';

/**
 * Longest wait for one AsyncStorage call. AsyncStorage runs its calls one at a time, so a native
 * module that stops answering holds every later call too: the state load, every queue write and,
 * behind them, flush() and close(). A working call answers in milliseconds; 5 s leave room for a cold
 * start behind the app's own AsyncStorage work. Reads given up are not asked again while out
 * (single-flight.ts): a slow read is waited for again, not queued again.
 */
export const ASYNC_STORAGE_TIMEOUT_MS = 5000;

export const TIMEOUT_ERROR = 'TimeoutError';

/** A TimeoutError: `late` settles when the call given up answers after all (it is still running). */
export type TimeoutError = Error & { late: Promise<unknown> };

/**
 * `op`, given up after `ms`: a call not answered by then rejects with a TimeoutError, and each caller
 * handles it as it handles a failed call (a state read is tried again, a queue write is written again
 * with the next one, a queue read leaves the entries stored for the next flush). `op` is called at
 * once (AsyncStorage keeps call order).
 */
export function timeBound<A extends unknown[], T>(name: string, op: (...args: A) => Promise<T>, ms = ASYNC_STORAGE_TIMEOUT_MS) {
  return (...args: A): Promise<T> => within(name, op(...args), ms);
}

/** Wait for `answer` at most `ms`; the call itself goes on (nothing can cancel a native call). */
export async function within<T>(name: string, answer: Promise<T>, ms = ASYNC_STORAGE_TIMEOUT_MS): Promise<T> {
  let timer: TimerHandle | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = startTimer(() => reject(Object.assign(new Error(`AsyncStorage ${name}: no answer within ${ms} ms`), { name: TIMEOUT_ERROR, late: answer })), ms);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
