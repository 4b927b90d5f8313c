import type { ClientEvent } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { CLOCK_FLOOR, createQueue, QUEUE_PREFIX, type Entry } from '../src/core/queue';
import { createMemoryStorage } from '../src/node';

/** Memory storage whose writes each wait for the test to open them, in order. */
function gatedStorage() {
  const inner = createMemoryStorage();
  const gates: (() => void)[] = [];
  let writes = 0;
  return {
    open: () => gates.shift()?.(),
    writes: () => writes,
    storage: {
      ...inner,
      setMany: async (entries: [string, unknown][]) => {
        writes += 1;
        await new Promise<void>((resolve) => gates.push(resolve));
        await inner.setMany(entries);
      },
    },
  };
}

const event = (id: string) => ({ event_id: id, type: 'track', event: id }) as unknown as ClientEvent;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('queue reload', () => {
  it('waits for a write that starts while it waits: those events are not taken for sent by another tab', async () => {
    const gated = gatedStorage();
    const drops: string[] = [];
    const queue = createQueue({
      storage: gated.storage,
      maxCount: 100,
      maxBytes: 1e6,
      maxAgeMs: 1e9,
      now: () => Date.now(),
      onDrop: (reason) => drops.push(reason),
      onError: (message) => drops.push(message),
      onStored: () => undefined,
    });
    queue.add(event('first'));
    await tick(); // the coalesced write of `first` starts and waits at its gate
    const reloaded = queue.reload(); // waits for that write
    await tick();
    queue.add(event('second')); // added while the reload waits
    await tick(); // the write of `second` is queued behind it
    expect(gated.writes()).toBe(1);
    gated.open(); // `first` lands; the reload must still wait for `second`
    await tick();
    gated.open();
    await reloaded;
    expect(queue.list().map((entry) => entry.e.event_id)).toEqual(['first', 'second']);
    expect(drops).toEqual([]);
  });

  it('puts an event queued with an older time (a stashed one) in age order at the next reload, though Storage holds nothing new', async () => {
    // A reload that finds Storage unchanged skips rebuilding the queue; age order must still hold
    // (the age and size bounds drop from the oldest end and stop at the first entry that may stay).
    const storage = createMemoryStorage();
    const drops: string[] = [];
    const queue = createQueue({
      storage,
      maxCount: 100,
      maxBytes: 1e6,
      maxAgeMs: 1e9,
      now: () => 2_000,
      onDrop: (reason) => drops.push(reason),
      onError: (message) => drops.push(message),
      onStored: () => undefined,
    });
    queue.add(event('this_page'));
    queue.add(event('stashed_by_the_last_page'), 1_000);
    await queue.saved();
    await queue.reload();
    expect(queue.list().map((entry) => entry.e.event_id)).toEqual(['stashed_by_the_last_page', 'this_page']);
    await queue.reload(); // nothing changed since: the order stays
    expect(queue.list().map((entry) => entry.e.event_id)).toEqual(['stashed_by_the_last_page', 'this_page']);
    expect(drops).toEqual([]);
  });

  it('drops what has expired at a reload that finds Storage unchanged, before it can be sent', async () => {
    const storage = createMemoryStorage();
    let clock = 1_000;
    const drops: string[] = [];
    const queue = createQueue({
      storage,
      maxCount: 100,
      maxBytes: 1e6,
      maxAgeMs: 60_000,
      now: () => clock,
      onDrop: (reason, events) => drops.push(...events.map((e) => `${reason} ${e.event_id}`)),
      onError: (message) => drops.push(message),
      onStored: () => undefined,
    });
    queue.add(event('old'));
    await queue.saved();
    clock += 60_001;
    await queue.reload();
    expect(drops).toEqual(['expired old']);
    expect(queue.size()).toBe(0);
    expect(await storage.keys(QUEUE_PREFIX)).toEqual([]);
  });
});

describe('queued times from a device clock that was wrong', () => {
  const DAY = 24 * 3600_000;
  const NOW = Date.parse('2026-11-26T12:00:00Z');

  function queueAt(storage: ReturnType<typeof createMemoryStorage>, clock: { now: number }, drops: string[]) {
    return createQueue({
      storage,
      maxCount: 100,
      maxBytes: 1e6,
      maxAgeMs: 7 * DAY,
      now: () => clock.now,
      onDrop: (reason, events) => drops.push(...events.map((e) => `${reason} ${e.event_id}`)),
      onError: (message) => drops.push(message),
      onStored: () => undefined,
    });
  }

  it('an event queued while the clock was still at 1970 is kept once the clock is set: it gets a fresh max age', async () => {
    const storage = createMemoryStorage();
    const clock = { now: 5_000 }; // booted, no network time yet
    const drops: string[] = [];
    const first = queueAt(storage, clock, drops);
    first.add(event('booted'));
    await first.saved();
    await first.reload();
    expect(first.list().map((entry) => entry.t)).toEqual([5_000]); // while the clock is unset, left alone
    expect(drops).toEqual([]);

    clock.now = NOW; // network time arrives; the next page loads the queue
    const next = queueAt(storage, clock, drops);
    next.add(event('later'), NOW - DAY); // a plausible time, older than the reset one
    next.add(event('expired'), NOW - 8 * DAY);
    await next.saved();
    await next.reload();
    expect(drops).toEqual(['expired expired']); // a real old time still expires
    await next.reload(); // the reset entry moves to its new place in age order
    expect(next.list().map((entry) => [entry.e.event_id, entry.t])).toEqual([
      ['later', NOW - DAY],
      ['booted', NOW],
    ]);
    await next.saved();
    expect((await storage.get<Entry>(`${QUEUE_PREFIX}booted`))?.t).toBe(NOW); // persisted: the next page does not reset it again

    clock.now = NOW + 7 * DAY + 1; // its fresh max age runs out like any other
    await next.reload();
    expect(drops).toEqual(['expired expired', 'expired later', 'expired booted']);
  });

  it('an event queued while the clock was ahead is reset when the clock is set back, so it does not outlive its max age', async () => {
    const storage = createMemoryStorage();
    const clock = { now: NOW + 365 * DAY };
    const drops: string[] = [];
    const first = queueAt(storage, clock, drops);
    first.add(event('ahead'));
    await first.saved();
    clock.now = NOW;
    const next = queueAt(storage, clock, drops);
    await next.reload();
    expect(next.list().map((entry) => entry.t)).toEqual([NOW]);
    clock.now = NOW + 7 * DAY + 1;
    await next.reload();
    expect(drops).toEqual(['expired ahead']); // it kept the clock's year ahead before: a year past its max age
  });

  it('a stored entry whose read fails (an IndexedDB connection lost) stays stored and is read at the next reload; one that does not parse is removed, reported', async () => {
    const storage = createMemoryStorage();
    const stored = (id: string): [string, Entry] => [QUEUE_PREFIX + id, { e: event(id), t: 1_000, n: 0, b: 0 }];
    await storage.setMany([stored('kept'), stored('torn'), stored('other')]);
    let lost = true;
    const reports: string[] = [];
    const queue = createQueue({
      storage: {
        ...storage,
        get: <T>(key: string): Promise<T | undefined> => {
          if (key === QUEUE_PREFIX + 'torn') return Promise.reject(new SyntaxError('Unexpected end of JSON input'));
          if (key === QUEUE_PREFIX + 'kept' && lost) return Promise.reject(new DOMException('Connection to Indexed Database server lost', 'UnknownError'));
          return storage.get<T>(key);
        },
      },
      maxCount: 100,
      maxBytes: 1e6,
      maxAgeMs: 1e9,
      now: () => 2_000,
      onDrop: (reason, events, message) => reports.push(`${reason}: ${message ?? events.length}`),
      onError: (message) => reports.push(message),
      onStored: () => undefined,
    });
    await queue.reload();
    expect(queue.list().map((entry) => entry.e.event_id)).toEqual(['other']);
    expect(queue.unread()).toBe(true);
    expect(reports).toEqual(['queue read failed', 'unreadable: 1 unreadable']);
    await queue.saved(); // the removal ran
    expect((await storage.keys(QUEUE_PREFIX)).sort()).toEqual([QUEUE_PREFIX + 'kept', QUEUE_PREFIX + 'other']);
    lost = false;
    await queue.reload();
    expect(queue.list().map((entry) => entry.e.event_id).sort()).toEqual(['kept', 'other']);
    expect(queue.unread()).toBe(false);
    expect(reports).toHaveLength(2);
  });

  it('CLOCK_FLOOR is not after this build: the SDK never queued anything before it', () => {
    expect(CLOCK_FLOOR).toBe(Date.UTC(2026, 0, 1));
    expect(CLOCK_FLOOR).toBeLessThanOrEqual(Date.now());
  });
});
