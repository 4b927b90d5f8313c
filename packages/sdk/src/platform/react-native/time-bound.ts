import { startTimer, type TimerHandle } from '../../core/timer';

/**
 * Longest wait for one AsyncStorage call. AsyncStorage runs its calls one at a time, so a native
 * module that stops answering holds every later call too: the state load, every queue write and,
 * behind them, flush() and close(). A working call answers in milliseconds; 5 s leave room for a cold
 * start behind the app's own AsyncStorage work.
 */
export const ASYNC_STORAGE_TIMEOUT_MS = 5000;

export const TIMEOUT_ERROR = 'TimeoutError';

/**
 * `op`, given up after `ms`: a call not answered by then rejects with a TimeoutError, and each caller
 * handles it as it handles a failed call (a state read is tried again, a queue write is written again
 * with the next one, a queue read leaves the entries stored for the next flush). `op` is called at
 * once (AsyncStorage keeps call order); an answer that comes later is ignored.
 */
export function timeBound<A extends unknown[], T>(name: string, op: (...args: A) => Promise<T>, ms = ASYNC_STORAGE_TIMEOUT_MS) {
  return async (...args: A): Promise<T> => {
    const answer = op(...args);
    let timer: TimerHandle | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = startTimer(() => reject(Object.assign(new Error(`AsyncStorage ${name}: no answer within ${ms} ms`), { name: TIMEOUT_ERROR })), ms);
    });
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
