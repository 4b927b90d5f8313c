import type { Pace } from './time-bound';

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
 * next save). So with `listed` (the keys stored now: AsyncStorage runs it after every call made before
 * it), a late answer is used only for the keys still stored; the others answer `gone`. Only a listing
 * sent after the read was asked vouches for it: one sent before, even one that answered since (to a read
 * given up), may have run before a clear() made since. So a read joining a late answer waits for the next
 * listing, sent when the one out answers (at most one listing out at a time: retried reads do not queue
 * one each in front of the writes). Reads made in one `together(run)` (one flush's chunks) share one
 * listing. A read whose listing is given up (a device whose every call is a little slower than the
 * bound) drops the late answers and reads their keys anew at once: the read tried next joins that call
 * while it runs, as a read tried again joins a slow read still out, instead of waiting for a listing of
 * its own, as slow as the one given up; a call answered before it is asked is a late answer again.
 */
export function singleFlight<V>(
  name: string,
  within: Pace['within'],
  op: (keys: string[]) => Promise<readonly V[]>,
  listed?: () => Promise<readonly string[]>,
  gone?: V,
) {
  const flights = new Map<string, Flight<V>>();
  const forget = (flight: Flight<V>) => flight.keys.forEach((key) => flights.get(key) === flight && flights.delete(key));
  /** While `together` runs: the listing its reads share. */
  let shared: { listing?: Promise<ReadonlySet<string>> } | undefined;
  /** The listing out now, and the one to send when it answers (shared by the reads asked meanwhile). */
  let out: Promise<unknown> | undefined;
  let next: Promise<ReadonlySet<string>> | undefined;
  const send = (list: () => Promise<readonly string[]>): Promise<ReadonlySet<string>> => {
    const answer = list().then((keys) => new Set(keys));
    const answered = (): void => void (out === settled && (out = undefined));
    const settled: Promise<void> = answer.then(answered, answered);
    out = settled;
    return answer;
  };
  /** The keys stored, listed after now. */
  const listAfterNow = (list: () => Promise<readonly string[]>): Promise<ReadonlySet<string>> => {
    if (!out) return send(list);
    next ??= out.then(() => ((next = undefined), send(list)));
    return next;
  };
  /** Reads `keys` not out yet, in one call. */
  const fly = (keys: string[]): void => {
    const fresh = keys.filter((key) => !flights.has(key));
    if (fresh.length === 0) return;
    const flight: Flight<V> = { keys: fresh, answer: op(fresh), waiting: 0, late: false };
    fresh.forEach((key) => flights.set(key, flight));
    // Attached before any caller's wait, so it runs first: `waiting` still counts the callers it answers.
    flight.answer.then(
      () => (flight.waiting > 0 ? forget(flight) : (flight.late = true)),
      () => forget(flight),
    );
  };
  const storedNow = (list: () => Promise<readonly string[]>) => (shared ? (shared.listing ??= listAfterNow(list)) : listAfterNow(list));
  return {
    async read(keys: string[]): Promise<V[]> {
      fly(keys);
      const of = keys.map((key) => flights.get(key) as Flight<V>);
      const joined = [...new Set(of)];
      const late = joined.filter((flight) => flight.late);
      joined.forEach((flight) => flight.late || flight.waiting++);
      const listing = listed && late.length > 0 ? storedNow(listed) : undefined;
      let listedNow: ReadonlySet<string> | undefined;
      try {
        [, listedNow] = await within(name, Promise.all([Promise.all(joined.map((flight) => flight.answer)), listing]));
        late.forEach(forget);
      } catch (error) {
        // No listing in time (getAllKeys slower than the bound): the late answers are dropped and their
        // keys read anew at once, so the read tried next joins a call out (sent after any clear() made
        // before now) instead of waiting for a listing of its own, which would be as slow.
        if (late.length > 0) {
          late.forEach(forget);
          fly(keys);
        }
        throw error;
      } finally {
        joined.forEach((flight) => flight.late || flight.waiting--);
      }
      return Promise.all(
        keys.map(async (key, i) => {
          const flight = of[i] as Flight<V>;
          const stored = late.includes(flight) ? listedNow : undefined;
          return stored && !stored.has(key) ? (gone as V) : ((await flight.answer)[flight.keys.indexOf(key)] as V);
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
