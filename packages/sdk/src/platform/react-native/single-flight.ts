import { within } from './time-bound';

interface Flight<V> {
  keys: string[];
  answer: Promise<readonly V[]>;
  /** Callers waiting for it now (each within its own bound). */
  waiting: number;
  /** Answered after every caller had given up: kept for the next read of its keys. */
  late: boolean;
}

/**
 * Reads with at most one native call out per key: a key asked again while a call reading it runs (or
 * after it answered late) joins that call. A read given up (time-bound.ts) still runs in AsyncStorage's
 * serial queue: asked again, each flush would queue one more 200-key read in front of the writes, and on
 * a device where that read takes longer than the bound no answer would ever be used. So each caller
 * waits for the call out within a bound of its own, and an answer that comes after every caller gave up
 * is kept for the next read of its keys (the state read tried again, the next flush). `changed(keys)`
 * stops `keys` (without keys: every key) joining the calls out: a read asked after a write must see that
 * write, so it goes out anew, behind it.
 *
 * The app's own removals (`AsyncStorage.clear()` at a logout) are not seen, though: a late answer kept
 * from before one would bring back what it removed (the device state's user id, written back at the
 * next save). So with `listed` (the keys stored now, asked afresh: AsyncStorage runs it after every call
 * made before it), a late answer is used only for the keys still stored; the others answer `gone`. The
 * listing is asked for when the read is, and only reads asked before it went out may share it: one still
 * out from an earlier read ran before a clear() made since, so it would vouch for keys the clear removed.
 * Reads made in one `together(run)` (one flush's chunks) share one listing. A late answer is kept until a
 * listing has answered (a listing given up does not throw it away: the next read lists again).
 */
export function singleFlight<V>(name: string, op: (keys: string[]) => Promise<readonly V[]>, listed?: () => Promise<readonly string[]>, gone?: V) {
  const flights = new Map<string, Flight<V>>();
  const forget = (flight: Flight<V>) => flight.keys.forEach((key) => flights.get(key) === flight && flights.delete(key));
  /** While `together` runs: the listing its reads share. */
  let shared: { listing?: Promise<readonly string[]> } | undefined;
  /** The keys stored now, listed after the read asking was asked. */
  const storedNow = (list: () => Promise<readonly string[]>) => (shared ? (shared.listing ??= list()) : list());
  return {
    async read(keys: string[]): Promise<V[]> {
      const fresh = keys.filter((key) => !flights.has(key));
      if (fresh.length > 0) {
        const flight: Flight<V> = { keys: fresh, answer: op(fresh), waiting: 0, late: false };
        fresh.forEach((key) => flights.set(key, flight));
        // Attached before any caller's wait, so it runs first: `waiting` still counts the callers it answers.
        flight.answer.then(
          () => (flight.waiting > 0 ? forget(flight) : (flight.late = true)),
          () => forget(flight),
        );
      }
      const of = keys.map((key) => flights.get(key) as Flight<V>);
      const joined = [...new Set(of)];
      const late = joined.filter((flight) => flight.late);
      joined.forEach((flight) => flight.late || flight.waiting++);
      const listing = late.length > 0 && listed ? storedNow(listed) : undefined;
      let stored: Set<string> | undefined;
      try {
        const [, keysNow] = await within(name, Promise.all([Promise.all(joined.map((flight) => flight.answer)), listing]));
        if (keysNow) stored = new Set(keysNow);
        late.forEach(forget);
      } finally {
        joined.forEach((flight) => flight.late || flight.waiting--);
      }
      return Promise.all(
        keys.map(async (key, i) => {
          const flight = of[i] as Flight<V>;
          return stored && late.includes(flight) && !stored.has(key) ? (gone as V) : ((await flight.answer)[flight.keys.indexOf(key)] as V);
        }),
      );
    },
    /** `run`, whose reads (asked before it) share one listing. */
    together<T>(run: () => T): T {
      shared = {};
      try {
        return run();
      } finally {
        shared = undefined;
      }
    },
    changed(keys?: readonly string[]): void {
      if (keys) keys.forEach((key) => flights.delete(key));
      else flights.clear();
    },
  };
}
