import type { ClientEvent } from '@eventline/schemas';
import { startTimer } from './timer';
import type { CoreStorage } from './types';
import { toJson } from './wire-json';

/** One queued event as persisted: the event, when it was queued, failed attempts, JSON size. */
export interface Entry {
  e: ClientEvent;
  t: number;
  n: number;
  b: number;
}

export const QUEUE_PREFIX = 'eventline.q.';
/**
 * 2026-01-01T00:00:00Z, the year this SDK was written: it queued nothing before, so a queued time
 * before it came from a device clock not yet set (a phone booted at 1970 before network time).
 */
export const CLOCK_FLOOR = 1_767_225_600_000;
/** Most entries written in one storage call (one task). */
const WRITE_CHUNK = 200;

export interface QueueOptions {
  storage: CoreStorage;
  maxCount: number;
  maxBytes: number;
  maxAgeMs: number;
  now: () => number;
  onDrop: (reason: 'queue_full' | 'expired' | 'unreadable', events: ClientEvent[], message?: string) => void;
  onError: (message: string, error: unknown) => void;
  /** These events no longer need a stash at hide: their write committed, or they left the queue. */
  onStored: (ids: string[]) => void;
}

export type Queue = ReturnType<typeof createQueue>;

/**
 * The offline queue. Memory is this tab's working copy; every enqueue is written to Storage off the
 * call path (writes coalesced, one entry per event so nothing is rewritten), and an event leaves
 * Storage only when `remove` is called after the server acknowledged it, or when a bound drops it.
 * All Storage operations run on one chain, in order: a removal can never be overtaken by its write.
 */
export function createQueue(options: QueueOptions) {
  const { storage, now } = options;
  let entries = new Map<string, Entry>();
  let bytes = 0;
  const unsaved = new Map<string, Entry>();
  /**
   * Events being written (the write has not committed) or whose write failed (quota, blocked storage;
   * kept in memory so this tab still sends them). With `unsaved` (not written yet), exactly what a
   * page that goes away now would lose, so what it stashes at hide. Set when the write starts, not in
   * add(): track() stays as cheap as it was.
   */
  const fragile = new Map<string, ClientEvent>();
  /** Entries whose write failed: written again with the next write (not in `unsaved`: a failing store must not loop). */
  const failed = new Map<string, Entry>();
  let chain: Promise<void> = Promise.resolve();
  let writeTimer: ReturnType<typeof startTimer> | undefined;
  let reloading: Promise<void> = Promise.resolve();
  /** An entry came in with an older `t` than one before it (a stashed event): the next reload re-sorts. */
  let unordered = false;
  let newest = 0;
  /** The last reload could not read some of Storage (a busy disk): those entries are read at the next one. */
  let unread = false;
  /**
   * Keys whose read failed and was reported: a row that never reads (too big for Android's CursorWindow)
   * stays stored and is read again at each reload, but reported once per run, not at every reload.
   * npm builds only: 15 B gzip the <script> build goes without (README).
   */
  const reported = __SCRIPT_BUILD__ ? undefined : new Set<string>();

  function run(message: string, op: () => Promise<void>): Promise<void> {
    chain = chain.then(op).catch((error: unknown) => options.onError(message, error));
    return chain;
  }

  function writeSoon(): void {
    writeTimer ??= startTimer(() => {
      writeTimer = undefined;
      void writeChunk();
      if (unsaved.size > 0) writeSoon();
    }, 0);
  }

  /** JSON size, measured off the call path (the first time it is needed). */
  function measure(entry: Entry): Entry {
    if (entry.b === 0) {
      entry.b = toJson(entry.e).length;
      bytes += entry.b;
    }
    return entry;
  }

  /** Write up to WRITE_CHUNK entries: a burst is persisted over several short tasks, never one long one. */
  function writeChunk(): Promise<void> {
    if (unsaved.size === 0) return chain;
    const pending = [...unsaved].slice(0, WRITE_CHUNK);
    for (const [id, entry] of pending) {
      unsaved.delete(id);
      fragile.set(id, entry.e); // until the write commits (it stays if the write fails)
      measure(entry);
    }
    enforce();
    return run('queue write failed', async () => {
      const batch = [...failed, ...pending].filter(([id]) => entries.has(id));
      failed.clear();
      try {
        await storage.setMany(batch.map(([id, entry]) => [QUEUE_PREFIX + id, entry]));
      } catch (error) {
        for (const [id, entry] of batch) failed.set(id, entry);
        throw error;
      }
      committed(batch.map(([id]) => id));
    });
  }

  /**
   * Resolves once nothing is unsaved and no write is under way. A write started meanwhile (the
   * coalesced write's timer) counts too: a reload that read Storage before it landed would take
   * its events for ones another tab had sent, and drop them.
   */
  async function writeNow(): Promise<void> {
    for (;;) {
      while (unsaved.size > 0) await writeChunk();
      const last = chain;
      await last;
      if (last === chain && unsaved.size === 0) return;
    }
  }

  /** These ids no longer need the hide-time stash: stored, or gone from the queue. */
  function committed(ids: string[]): void {
    for (const id of ids) fragile.delete(id);
    options.onStored(ids);
  }

  function take(ids: string[]): ClientEvent[] {
    const out: ClientEvent[] = [];
    for (const id of ids) {
      const entry = entries.get(id);
      if (!entry) continue;
      entries.delete(id);
      unsaved.delete(id);
      failed.delete(id);
      bytes -= entry.b;
      out.push(entry.e);
    }
    if (out.length > 0) {
      committed(ids);
      void run('queue remove failed', () => storage.removeMany(ids.map((id) => QUEUE_PREFIX + id)));
    }
    return out;
  }

  /** This entry's queued time says nothing about its age: it counts from now (persisted, re-sorted at the next reload). */
  function restamp(entry: Entry, at: number): void {
    entry.t = newest = at;
    unordered = true;
    unsaved.set(entry.e.event_id, entry);
    writeSoon();
  }

  /** Drop the oldest while over a bound, and every event past its age. */
  function enforce(): void {
    // Age comes from the device clock, which may have been wrong when the event was queued. A queued
    // time later than now (the clock was ahead, then set back) or before CLOCK_FLOOR while now is
    // past it (queued before the clock was set) is unknown: it is reset to now, a fresh max age,
    // instead of the event living on past its age or being dropped as expired (the ingest corrects
    // the event's own skewed times). Cheap: a time later than now exists only while `newest` is.
    const at = now();
    if (newest > at) for (const entry of entries.values()) if (entry.t > at) restamp(entry, at);
    // Oldest first (insertion order, re-sorted on reload): both loops stop at the first entry that may stay.
    const expired: string[] = [];
    const oldest = at - options.maxAgeMs;
    for (const entry of entries.values()) {
      if (entry.t >= oldest) break;
      if (entry.t < CLOCK_FLOOR && at >= CLOCK_FLOOR) restamp(entry, at);
      else expired.push(entry.e.event_id);
    }
    if (expired.length > 0) options.onDrop('expired', take(expired));
    const over: string[] = [];
    let count = entries.size;
    let size = bytes;
    for (const entry of entries.values()) {
      if (count <= options.maxCount && size <= options.maxBytes) break;
      over.push(entry.e.event_id);
      count -= 1;
      size -= entry.b;
    }
    if (over.length > 0) options.onDrop('queue_full', take(over));
  }

  /**
   * What Storage holds. Only entries this tab does not already hold are read (after a burst of
   * 10,000 events, reading them all back costs a long task on the main thread). Stored ids leave
   * `unstored`. Undefined when Storage holds only this tab's entries and all of those it knew.
   */
  async function readStored(unstored: Set<string>): Promise<(Entry | undefined)[] | undefined> {
    const out: (Entry | undefined)[] = [];
    const missing: string[] = [];
    for (const key of await storage.keys(QUEUE_PREFIX)) {
      const id = key.slice(QUEUE_PREFIX.length);
      const mine = entries.get(id);
      unstored.delete(id);
      if (mine) out.push(mine);
      else missing.push(key);
    }
    if (missing.length === 0 && unstored.size === 0 && !unordered) return;
    // One by one: an entry that does not parse (or is no entry) costs itself only, not the whole queue.
    // A read that failed otherwise (a busy disk, a lost IndexedDB connection) says nothing about the
    // entry: it stays stored, left out this time (reported), and is read again at the next reload.
    const unreadable: string[] = [];
    const failures: unknown[] = [];
    /** Failures of keys not reported before in this run (npm builds). */
    const fresh: unknown[] = [];
    const read = await Promise.all(
      missing.map((key) =>
        storage.get<Entry>(key).then(
          // undefined: gone since it was listed (another tab sent it)
          (entry) => (entry && typeof entry.e?.event_id != 'string' ? void unreadable.push(key) : entry),
          (error: unknown) =>
            void ((error as Error | undefined)?.name === 'SyntaxError'
              ? unreadable.push(key)
              : (failures.push(error), __SCRIPT_BUILD__ || reported?.has(key) || (reported?.add(key), fresh.push(error)))),
        ),
      ),
    );
    if (failures.length > 0) {
      unread = true;
      if (__SCRIPT_BUILD__ || fresh.length > 0) options.onError('queue read failed', __SCRIPT_BUILD__ ? failures[0] : fresh[0]);
    }
    if (unreadable.length > 0) {
      // Removed, or every reload would report them again.
      void run('queue remove failed', () => storage.removeMany(unreadable));
      options.onDrop('unreadable', [], `${unreadable.length} unreadable`);
    }
    return out.concat(read);
  }

  /**
   * Replace memory with what Storage holds (other tabs' and earlier pages' events). An entry this
   * tab knew before the read and Storage no longer has was sent by another tab: it goes. Entries
   * added meanwhile, or never written (storage failing), stay.
   */
  async function reloadNow(): Promise<void> {
    await writeNow();
    // Once read: what this tab knew before the read and Storage no longer holds (another tab sent it).
    const unstored = new Set(entries.keys());
    let stored: (Entry | undefined)[] | undefined;
    unread = false;
    try {
      stored = await readStored(unstored);
    } catch (error) {
      unread = true;
      options.onError('queue read failed', error);
    }
    // Unchanged (the common case, one tab): no rebuild and re-sort of a queue that may be 10,000 long.
    if (!stored) return enforce();
    unordered = false;
    const merged = new Map<string, Entry>();
    for (const entry of stored) if (typeof entry?.e?.event_id === 'string') merged.set(entry.e.event_id, entry);
    for (const [id, entry] of entries) if (!unstored.has(id) || fragile.has(id) || unsaved.has(id)) merged.set(id, entry);
    entries = new Map([...merged].sort((a, b) => a[1].t - b[1].t));
    bytes = 0;
    for (const entry of entries.values()) {
      bytes += entry.b;
      newest = entry.t; // sorted: the last is the newest, other tabs' entries included
    }
    enforce();
  }

  return {
    /** Queue an event (`t`: when it was first queued, for one a stash brought back): in memory now, in Storage on the next tick. */
    add(event: ClientEvent, t = now()): void {
      if (entries.has(event.event_id)) return; // a stashed copy of one this page holds
      const entry: Entry = { e: event, t, n: 0, b: 0 }; // its size counts in `bytes` once measured
      if (t < newest) unordered = true;
      else newest = t;
      entries.set(event.event_id, entry);
      unsaved.set(event.event_id, entry);
      // Only the count bound can be crossed here (bytes are measured when written, age checked then).
      if (entries.size > options.maxCount) enforce();
      writeSoon();
    },
    /** Count a failed attempt on these events (persisted). */
    attempted(events: ClientEvent[]): void {
      for (const event of events) {
        const entry = entries.get(event.event_id);
        if (!entry) continue;
        entry.n += 1;
        unsaved.set(event.event_id, entry);
      }
      writeSoon();
    },
    /** Acknowledged or dropped: gone from memory and Storage. */
    remove(events: ClientEvent[]): void {
      take(events.map((e) => e.event_id));
    },
    /** Resolves once every enqueue so far is written (or has failed and been reported). */
    saved: writeNow,
    /**
     * Replace memory with what Storage holds (other tabs' and earlier pages' events), keeping events
     * whose write has not landed. Used by the sending tab before each flush.
     */
    reload(): Promise<void> {
      reloading = reloading.then(reloadNow);
      return reloading;
    },
    /** Visit the queued entries oldest first (sizes measured) until `visit` returns true; copies nothing. */
    scan(visit: (entry: Entry) => boolean | void): void {
      for (const entry of entries.values()) if (visit(measure(entry))) return;
    },
    /** Queued entries, oldest first. */
    list(): Entry[] {
      return [...entries.values()].map(measure);
    },
    size: () => entries.size,
    /** Some of Storage went unread at the last reload: the next flush should reload. */
    unread: () => unread,
    /** The events a page going away now would lose (their write has not committed). */
    fragile: () => [...unsaved.values()].map((entry) => entry.e).concat([...fragile.values()]),
    /** Forget everything (opt-out, consent withdrawn); returns the events forgotten. */
    clear: () => take([...entries.keys()]),
  };
}
