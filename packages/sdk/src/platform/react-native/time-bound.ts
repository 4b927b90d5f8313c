import { startTimer, type TimerHandle } from '../../core/timer';

/**
 * First wait for one AsyncStorage call. AsyncStorage runs its calls one at a time, so a native
 * module that stops answering holds every later call too: the state load, every queue write and,
 * behind them, flush() and close(). A working call answers in milliseconds; 5 s leave room for a cold
 * start behind the app's own AsyncStorage work. Reads given up are not asked again while out
 * (single-flight.ts): a slow read is waited for again, not queued again.
 */
export const ASYNC_STORAGE_TIMEOUT_MS = 5000;
/**
 * The most the wait grows to (see createPace). A device whose calls take longer than this each is not
 * waited for: its calls are given up, and the error says so.
 */
export const ASYNC_STORAGE_MAX_WAIT_MS = 30_000;

const noop = (): void => undefined;

/** Calls in a row answered within half the wait that halve it (see createPace). */
const QUICK_STREAK = 3;

export const TIMEOUT_ERROR = 'TimeoutError';

/** A TimeoutError: `late` settles when the call given up answers after all (it is still running). */
export type TimeoutError = Error & { late: Promise<unknown> };

export type Pace = ReturnType<typeof createPace>;

/**
 * How long to wait for one AsyncStorage, learnt from its answers. A wait is given up once a window
 * (first ASYNC_STORAGE_TIMEOUT_MS) has passed with no answer to a call asked before it (AsyncStorage
 * runs its calls one at a time: its queue did not move, the module may be hung); each such answer
 * starts the window anew. So a read queued behind three calls of a device whose every call takes 4 s
 * answers after 16 s and is not given up meanwhile.
 * A call that answers after its wait gave up shows a module that works, slower than the window: the
 * window doubles (up to ASYNC_STORAGE_MAX_WAIT_MS). Without that, a device whose every call takes a
 * little over 5 s gave up every queue read: a late answer may serve a later read only once a listing
 * sent after that read shows its keys still stored, and that listing, as slow, was given up too: a
 * backlog stored by an earlier run was never sent. A module that never answers is given up after 5 s,
 * as before. A call answered within half the window halves it again (not below the first wait): a
 * stretch of slow calls does not leave a module that hangs later waited for 30 s a call.
 */
export function createPace() {
  let windowMs = ASYNC_STORAGE_TIMEOUT_MS;
  /** Native calls asked so far (each call's number: the order AsyncStorage runs them in). */
  let asked = 0;
  /** The waits now, each restarted when a call asked before it answers. */
  const waits = new Set<{ n: number; restart: () => void }>();
  /** Settles when every call asked so far has answered (AsyncStorage runs them one at a time). */
  let ran: Promise<unknown> = Promise.resolve();

  /** Calls in a row answered quickly (see track). */
  let streak = 0;
  const faster = () => void ((streak = 0), (windowMs = Math.max(ASYNC_STORAGE_TIMEOUT_MS, windowMs / 2)));
  const slower = (waited: number) => void (windowMs = Math.min(ASYNC_STORAGE_MAX_WAIT_MS, Math.max(windowMs, 2 * waited)));

  /** Wait for `answer` (calls asked before now); the calls go on (nothing can cancel a native call). */
  function within<T>(name: string, answer: Promise<T>): Promise<T> {
    let timer: TimerHandle | undefined;
    let wait: { n: number; restart: () => void } | undefined;
    const late = new Promise<never>((_, reject) => {
      const restart = (): void => {
        clearTimeout(timer);
        const waited = windowMs;
        timer = startTimer(() => {
          void answer.then(() => slower(waited), () => slower(waited));
          const most = waited < ASYNC_STORAGE_MAX_WAIT_MS ? '' : ' (the most the SDK waits: AsyncStorage calls slower than that are given up)';
          reject(Object.assign(new Error(`AsyncStorage ${name}: no answer within ${waited} ms${most}`), { name: TIMEOUT_ERROR, late: answer }));
        }, waited);
      };
      waits.add((wait = { n: asked, restart }));
      restart();
    });
    return Promise.race([answer, late]).finally(() => {
      clearTimeout(timer);
      if (wait) waits.delete(wait);
    });
  }

  return {
    within,
    /** `op` as a native call the pace counts (asked now, in AsyncStorage's call order). */
    track<A extends unknown[], T>(op: (...args: A) => Promise<T>) {
      return (...args: A): Promise<T> => {
        const i = asked++;
        const answer = op(...args);
        // QUICK_STREAK calls in a row that each run (from the answer of the one before) less than half the
        // window: the device is not that slow (any more), the window halves back toward the first wait (one
        // quick call between slow ones, a fast read between slow listings, does not). A module that hangs
        // after a slow stretch is then given up after 5 s again, not 30 s; calls that take 8 s each
        // (window 10 s) keep their window. Timers, not Date: the app's clock may jump.
        // A call answered before the one before it (not AsyncStorage's serial order) says nothing.
        let quick: boolean | undefined;
        let half: TimerHandle | undefined;
        let done = false;
        const before = ran;
        void before.then(() => done || ((quick = true), (half = startTimer(() => (quick = false), windowMs / 2))));
        ran = before.then(() => answer).then(noop, noop);
        void answer.then(
          () => ((done = true), clearTimeout(half), quick === undefined || (quick ? ++streak >= QUICK_STREAK && faster() : (streak = 0))),
          () => ((done = true), clearTimeout(half)),
        );
        // AsyncStorage moved on: the waits behind this call get a whole window from now.
        const moved = () => waits.forEach((wait) => wait.n > i && wait.restart());
        answer.then(moved, moved);
        return answer;
      };
    },
    /**
     * `op`, given up as above: a call not answered rejects with a TimeoutError, and each caller handles
     * it as it handles a failed call (a state read is tried again, a queue write is kept in memory and
     * written again, later ones held meanwhile (held-writes.ts), a queue read leaves the entries stored for the next flush). `op` is called at once
     * (AsyncStorage keeps call order).
     */
    bound<A extends unknown[], T>(name: string, op: (...args: A) => Promise<T>) {
      return (...args: A): Promise<T> => within(name, op(...args));
    },
  };
}
