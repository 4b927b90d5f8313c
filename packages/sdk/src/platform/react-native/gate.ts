/**
 * Calls that run now, or, while the gate is shut, later in the order they were made. The React Native
 * entry shuts it while it reads whether this is the install's first open (AsyncStorage is async), so
 * that `af_first_open` and `app_open` are queued before the calls the app makes right after
 * createEventline(). A held call runs when the gate opens: its event's timestamp is then, one storage
 * read later than the call.
 */
export function createGate() {
  let held: (() => void)[] | undefined;
  return {
    /** Whether calls wait now. */
    shut: () => held !== undefined,
    /** `fn` as a call that waits while the gate is shut. */
    pass<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
      return (...args) => (held ? void held.push(() => fn(...args)) : fn(...args));
    },
    /** The same for a call whose promise the caller awaits: it settles once the held call has run. */
    passAsync<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
      return (...args) => (held ? new Promise<R>((resolve) => held?.push(() => resolve(fn(...args)))) : fn(...args));
    },
    /** Shut until `ready` resolves; then `first` runs, then the held calls in order (calls they make run at once). */
    shutUntil<T>(ready: Promise<T>, first: (value: T) => void): void {
      const queue: (() => void)[] = (held ??= []);
      void ready.then((value) => {
        held = undefined;
        try {
          first(value);
        } finally {
          for (const call of queue) call();
        }
      });
    },
  };
}
