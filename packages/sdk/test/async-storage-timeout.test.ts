import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import { ASYNC_STORAGE_MAX_WAIT_MS as MOST, ASYNC_STORAGE_TIMEOUT_MS as BOUND } from '../src/platform/react-native/time-bound';
import { createAsyncStorage, READ_CHUNK } from '../src/platform/react-native/async-storage';
import { createEventline, type AsyncStorageV2Like } from '../src/react-native';
import { memoryAsyncStorage, type MemoryAsyncStorage } from './memory-async-storage';
import { ENDPOINT, ingestSuite, record, WRITE_KEY } from './support';

const { ingest } = ingestSuite();
const config = { writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000, flushAt: 1000 };
const never = () => new Promise<never>(() => undefined);

/** Whether `promise` settles within `ms` of fake time. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  let waited = 0;
  for (; waited < ms && !settled; waited += 100) await vi.advanceTimersByTimeAsync(100);
  return settled;
}

/** AsyncStorage 2.x in memory whose calls can be made to go unanswered one by one. */
function v2Storage(): AsyncStorageV2Like & MemoryAsyncStorage {
  return memoryAsyncStorage('v2') as AsyncStorageV2Like & MemoryAsyncStorage;
}

/** The state an earlier run stored (an installed app, a device id), and the storage's own multiGet to wrap. */
function storageOfAnEarlierRun(): { storage: AsyncStorageV2Like & MemoryAsyncStorage; stored: string; multiGet: AsyncStorageV2Like['multiGet'] } {
  const storage = v2Storage();
  const stored = JSON.stringify({ deviceId: 'device-from-last-run', optOut: false, anonymized: false });
  storage.data.set('eventline.state', stored);
  storage.data.set('eventline.installed', 'true');
  return { storage, stored, multiGet: storage.multiGet.bind(storage) };
}

/** `count` events of an earlier run stored in the queue. */
function storeBacklog(storage: MemoryAsyncStorage, count: number): void {
  const at = Date.now() - 60_000;
  for (let i = 0; i < count; i++) {
    const e = { event_id: `stored-${i}`, type: 'track', event: 'from_last_run', anonymous_id: 'device-from-last-run', seq: i, timestamp: new Date(at).toISOString(), context: { library: { name: 'eventline', version: '0.1.0' } } };
    storage.data.set(QUEUE_PREFIX + e.event_id, JSON.stringify({ e, t: at + i, n: 0, b: 0 }));
  }
}

/** An installed app's AsyncStorage holding `count` events of an earlier run. */
function installedWithBacklog(count: number): AsyncStorageV2Like & MemoryAsyncStorage {
  const storage = v2Storage();
  storage.data.set('eventline.installed', 'true');
  storeBacklog(storage, count);
  return storage;
}

const timeouts = (errors: { message: string; error?: unknown }[], message: string) =>
  errors.filter((e) => e.message === message).map((e) => (e.error as Error | undefined)?.name);

describe('AsyncStorage calls that never answer are given up after a time bound', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  it('a hung native module (no call ever answers): flush() and close() settle; the calls are dropped and reported as for an unreadable state', async () => {
    const storage = v2Storage();
    storage.stuck = true;
    // Not kept for the suite's teardown: closed here, under fake time.
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    client.track('early');
    expect(await settlesWithin(client.flush(), 20 * BOUND)).toBe(true);
    expect(await settlesWithin(client.close(), 20 * BOUND)).toBe(true);
    expect(ingest.received).toHaveLength(0);
    // Nothing lost silently: the state (and a possible opt-out) could not be read, so nothing is tracked this run.
    expect(notices.drop.flatMap((d) => d.events.map((e) => [d.reason, e.event]))).toEqual([
      ['consent', 'app_open'],
      ['consent', 'early'],
    ]);
    // The first read and three retries, each given up.
    expect(timeouts(notices.error, 'state load failed')).toEqual(['TimeoutError', 'TimeoutError', 'TimeoutError', 'TimeoutError']);
  });

  it('a state read that never answers (later calls do) is not asked again while it runs: nothing is tracked this run, the stored state is not written over', async () => {
    const { storage, stored, multiGet } = storageOfAnEarlierRun();
    let loadCalls = 0;
    storage.multiGet = (keys) => (keys.includes('eventline.state') && loadCalls++ === 0 ? never() : multiGet(keys));
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    client.track('purchase');
    expect(await settlesWithin(client.flush(), 20 * BOUND)).toBe(true);
    expect(loadCalls).toBe(1);
    expect(ingest.received).toHaveLength(0);
    expect(notices.drop.flatMap((d) => d.events.map((e) => [d.reason, e.event]))).toEqual([
      ['consent', 'app_open'],
      ['consent', 'purchase'],
    ]);
    expect(timeouts(notices.error, 'state load failed')).toEqual(['TimeoutError', 'TimeoutError', 'TimeoutError', 'TimeoutError']);
    expect(storage.data.get('eventline.state')).toBe(stored);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });

  it('a state read that answers after every try was given up (40 s): the calls until then are dropped (reported), the later ones tracked with the stored device id', async () => {
    const { storage, multiGet } = storageOfAnEarlierRun();
    let loadCalls = 0;
    storage.multiGet = (keys) => {
      if (!keys.includes('eventline.optout')) return multiGet(keys);
      loadCalls++;
      return new Promise<void>((resolve) => setTimeout(resolve, 40_000)).then(() => multiGet(keys));
    };
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    client.track('early');
    expect(await settlesWithin(client.flush(), 8 * BOUND)).toBe(true);
    expect(timeouts(notices.error, 'state load failed')).toEqual(['TimeoutError', 'TimeoutError', 'TimeoutError', 'TimeoutError']);
    expect(notices.drop.flatMap((d) => d.events.map((e) => [d.reason, e.event]))).toEqual([
      ['consent', 'app_open'],
      ['consent', 'early'],
    ]);
    await vi.advanceTimersByTimeAsync(40_000);
    client.track('late');
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    expect(ingest.events().map((e) => [e.event, e.anonymous_id])).toEqual([['late', 'device-from-last-run']]);
    expect(loadCalls).toBe(1);
    expect(notices.drop).toHaveLength(2);
    expect(JSON.parse(storage.data.get('eventline.state') ?? '{}')).toMatchObject({ deviceId: 'device-from-last-run' });
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });

  it.each([
    ['anonymize()', (c: ReturnType<typeof createEventline>) => c.anonymize()],
    ['reset()', (c: ReturnType<typeof createEventline>) => c.reset()],
    ['identify(null)', (c: ReturnType<typeof createEventline>) => c.identify(null)],
  ])('a state read that answers after every try was given up does not undo a %s made meanwhile', async (_name, change) => {
    const storage = v2Storage();
    storage.data.set('eventline.state', JSON.stringify({ deviceId: 'device-from-last-run', userId: 'user-1', optOut: false, anonymized: false }));
    storage.data.set('eventline.installed', 'true');
    const multiGet = storage.multiGet.bind(storage);
    storage.multiGet = (keys) =>
      keys.includes('eventline.optout') ? new Promise<void>((resolve) => setTimeout(resolve, 40_000)).then(() => multiGet(keys)) : multiGet(keys);
    const client = createEventline(config, { asyncStorage: storage });
    expect(await settlesWithin(client.flush(), 8 * BOUND)).toBe(true);
    change(client);
    await vi.advanceTimersByTimeAsync(40_000);
    client.track('late');
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    // Still blind (nothing sent), and never the stored user: the late answer was not adopted over the change.
    expect(ingest.events().filter((e) => e.user_id === 'user-1' || e.anonymous_id === 'device-from-last-run')).toEqual([]);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });

  it('a queue write that never answers is written again with the next write, like a failed one, and flush() still sends', async () => {
    const storage = v2Storage();
    storage.data.set('eventline.installed', 'true');
    const multiSet = storage.multiSet.bind(storage);
    let lost = 1;
    storage.multiSet = (pairs) => (pairs.some(([k]) => k.startsWith(QUEUE_PREFIX)) && lost-- > 0 ? never() : multiSet(pairs));
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    const queued = () =>
      [...storage.data.entries()].filter(([k]) => k.startsWith(QUEUE_PREFIX)).map(([, v]) => (JSON.parse(v) as { e: { event: string } }).e.event);
    client.track('first');
    await vi.advanceTimersByTimeAsync(BOUND);
    expect(timeouts(notices.error, 'queue write failed')).toEqual(['TimeoutError']);
    expect(queued()).not.toContain('first');
    client.track('second');
    await vi.advanceTimersByTimeAsync(10);
    expect(queued()).toEqual(expect.arrayContaining(['app_open', 'first', 'second']));
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    expect(ingest.events().map((e) => e.event)).toEqual(['app_open', 'first', 'second']);
    expect(notices.drop).toEqual([]);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });

  it('a queue read that does not answer: its entries stay stored (reported), the 200-key call is neither asked again key by key nor again while it runs, and its late answer sends them', async () => {
    const storage = installedWithBacklog(250);
    const multiGet = storage.multiGet.bind(storage);
    const held: (() => void)[] = [];
    const queueCalls: number[] = [];
    storage.multiGet = (keys) => {
      if (!keys.some((k) => k.startsWith(QUEUE_PREFIX))) return multiGet(keys);
      queueCalls.push(keys.length);
      return new Promise<void>((resolve) => held.push(resolve)).then(() => multiGet(keys));
    };
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    // 200 + 50 keys, asked once: flush()'s reload joined the calls still out instead of queueing two more.
    expect(queueCalls).toEqual([200, 50]);
    expect(timeouts(notices.error, 'queue read failed')[0]).toBe('TimeoutError');
    expect([...storage.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX))).toHaveLength(250);
    expect(ingest.events().filter((e) => e.event === 'from_last_run')).toHaveLength(0);
    held.splice(0).forEach((answer) => answer());
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    expect(queueCalls).toEqual([200, 50]);
    expect(ingest.events().filter((e) => e.event === 'from_last_run')).toHaveLength(250);
    expect(notices.drop).toEqual([]);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });

  it("a late answer is not used for keys the app's AsyncStorage.clear() removed since: a late listing from before it lists the queue, whose late read is not sent again", async () => {
    const storage = installedWithBacklog(250);
    const { multiGet, getAllKeys } = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage) };
    const held: (() => void)[] = [];
    const hold = <T>(call: () => Promise<T>) => new Promise<void>((resolve) => held.push(resolve)).then(call);
    storage.multiGet = (keys) => (keys.some((k) => k.startsWith(QUEUE_PREFIX)) ? hold(() => multiGet(keys)) : multiGet(keys));
    const client = createEventline(config, { asyncStorage: storage });
    record(client);
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true); // the queue read given up
    storage.getAllKeys = () => hold(getAllKeys);
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true); // and the next flush's listing
    // Both run in AsyncStorage's queue before the app's clear() and answer late: every wait had given up.
    held.splice(0).forEach((answer) => answer());
    await vi.advanceTimersByTimeAsync(0);
    storage.getAllKeys = getAllKeys;
    storage.data.clear(); // the app's AsyncStorage.clear() (a logout), which the SDK does not see
    // The next flush uses the late listing (the queue's keys) and joins the late read: only a fresh
    // listing shows those keys gone.
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    expect(ingest.events().filter((e) => e.event === 'from_last_run')).toHaveLength(0);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });

  it('a late answer whose listing is given up is dropped and its keys read anew at once (the next read joins that call), and the reads of one flush (two 200-key calls) share one listing', async () => {
    const storage = v2Storage();
    const keys = Array.from({ length: READ_CHUNK + 1 }, (_, i) => `k${i}`);
    keys.forEach((key) => storage.data.set(key, '"v"'));
    const { multiGet, getAllKeys } = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage) };
    const held: (() => void)[] = [];
    const hold = <T>(call: () => Promise<T>) => new Promise<void>((resolve) => held.push(resolve)).then(call);
    let reads = 0;
    let listings = 0;
    storage.multiGet = (keys) => (reads++, hold(() => multiGet(keys)));
    const kv = createAsyncStorage(storage);
    const nameOf = (reads: Promise<unknown>[]) => Promise.all(reads).then(() => 'answered', (error: Error) => error.name);
    const first = nameOf(keys.map((key) => kv.get(key)));
    await vi.advanceTimersByTimeAsync(2 * BOUND);
    expect(await first).toBe('TimeoutError');
    held.splice(0).forEach((answer) => answer()); // both calls answer late
    await vi.advanceTimersByTimeAsync(0);
    storage.getAllKeys = () => (listings++, hold(getAllKeys)); // slow listings
    const second = nameOf(keys.map((key) => kv.get(key)));
    await vi.advanceTimersByTimeAsync(2 * BOUND);
    expect(await second).toBe('TimeoutError'); // the listing that checks them given up
    expect([reads, listings]).toEqual([4, 1]); // one listing for both calls; then both read anew
    held.shift()?.(); // the listing answers late, to no one: it ran before the next read was asked
    await vi.advanceTimersByTimeAsync(0);
    const third = Promise.all(keys.map((key) => kv.get(key)));
    await vi.advanceTimersByTimeAsync(0);
    held.splice(0).forEach((answer) => answer());
    expect(new Set(await third)).toEqual(new Set(['v'])); // the calls read anew, joined while out
    expect([reads, listings]).toEqual([4, 1]); // nothing more asked
  });

  it('listings slower than the most the SDK waits: the reads joining a late answer time out with one listing out at a time, each reading its keys anew once, whose late answer the first read with a listing in time uses', async () => {
    const storage = v2Storage();
    storage.data.set('k', '"v"');
    const { multiGet, getAllKeys } = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage) };
    let reads = 0;
    let release: (() => void) | undefined;
    storage.multiGet = (keys) => {
      reads++;
      storage.multiGet = (more) => (reads++, multiGet(more)); // only the first read is slow: it answers after its caller gave up
      return new Promise<void>((resolve) => (release = resolve)).then(() => multiGet(keys));
    };
    const kv = createAsyncStorage(storage);
    const nameOf = (read: Promise<unknown>) => read.then((value) => value, (error: Error) => error.name);
    const first = nameOf(kv.get('k'));
    await vi.advanceTimersByTimeAsync(BOUND);
    expect(await first).toBe('TimeoutError');
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    let out = 0;
    let mostOut = 0;
    let listings = 0;
    // Slower than the longest wait: the wait grows (a late answer doubles it) but gives up still.
    const slowListing = () => {
      listings++;
      mostOut = Math.max(mostOut, ++out);
      return new Promise<void>((resolve) => setTimeout(resolve, 1.5 * MOST)).then(() => (out--, getAllKeys()));
    };
    storage.getAllKeys = slowListing;
    const answers: unknown[] = [];
    const messages: string[] = [];
    // Until a wait has grown to the longest (each listing answering late doubles it).
    const longest = `AsyncStorage read: no answer within ${MOST} ms (the most the SDK waits: AsyncStorage calls slower than that are given up)`;
    for (let i = 0; i < 20 && messages.at(-1) !== longest; i++) {
      const read = kv.get('k').catch((error: Error) => (messages.push(error.message), error.name));
      // A wait starts anew when a call asked before it answers (the listing out): it may last longer than MOST.
      expect(await settlesWithin(read, 3 * MOST)).toBe(true);
      answers.push(await read);
    }
    // Each listing answers after its read gave up, and vouches for no later read: the app's clear() may
    // have run since. Each read waits for one sent after it, sent when the one out answers.
    expect(answers).toEqual(Array(answers.length).fill('TimeoutError'));
    expect(mostOut).toBe(1);
    expect(listings).toBeLessThanOrEqual(answers.length); // no more than one per read
    expect(reads).toBe(answers.length + 1); // each read given up read 'k' anew once (here that call answers at once: late again)
    // The wait grew (10 s, 20 s, 30 s) and stops at the longest, whose error says so (it reaches on('error') as the caller's failure).
    expect(new Set(messages.map((message) => Number(/within (\d+) ms/.exec(message)?.[1])))).toEqual(new Set([2 * BOUND, 4 * BOUND, MOST]));
    expect(messages.at(-1)).toBe(longest);
    await vi.advanceTimersByTimeAsync(6 * MOST); // the listings still out answer (to no one)
    storage.getAllKeys = getAllKeys; // listings answer in time again
    expect(await nameOf(kv.get('k'))).toBe('v'); // the last late answer
    expect(reads).toBe(answers.length + 1);
  });

  it('a device slower than the first wait (every call 8 s, one at a time): the wait grows once a call answers after it, so a late answer is checked by a listing and used, and a read behind other calls is waited for while they answer', async () => {
    const storage = v2Storage();
    storage.data.set('k', '"v"');
    storage.data.set('j', '"w"');
    const own = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage), multiSet: storage.multiSet.bind(storage) };
    let last: Promise<unknown> = Promise.resolve();
    let calls = 0;
    const inTurn = <T>(call: () => Promise<T>): Promise<T> => {
      calls++;
      const turn = last.then(() => new Promise((resolve) => setTimeout(resolve, 8000))).then(call);
      last = turn.catch(() => undefined);
      return turn;
    };
    storage.multiGet = (keys) => inTurn(() => own.multiGet(keys));
    storage.getAllKeys = () => inTurn(() => own.getAllKeys());
    storage.multiSet = (pairs) => inTurn(() => own.multiSet(pairs));
    const kv = createAsyncStorage(storage);
    const nameOf = (read: Promise<unknown>) => read.then((value) => value, (error: Error) => error.name);
    const first = nameOf(kv.get('k'));
    await vi.advanceTimersByTimeAsync(BOUND);
    expect(await first).toBe('TimeoutError'); // nothing answered yet: as for a hung module
    await vi.advanceTimersByTimeAsync(8000 - BOUND); // it answers late: the device is slow, not hung
    // The late answer needs a listing sent after this read (8 s more): waited for now.
    const second = nameOf(kv.get('k'));
    await vi.advanceTimersByTimeAsync(8000);
    expect(await second).toBe('v');
    // Three calls out, one after another: the read behind two writes answers after 24 s, not given up.
    const writes = [kv.setMany([['a', 1]]), kv.setMany([['b', 2]])].map(nameOf);
    const third = nameOf(kv.get('j'));
    await vi.advanceTimersByTimeAsync(3 * 8000);
    expect(await Promise.all([...writes, third])).toEqual([undefined, undefined, 'w']);
    expect(calls).toBe(5); // the first read, its listing, two writes, the last read: nothing asked twice
  });

  it("a listing that answers after its read gave up does not vouch for a read asked later: the app's AsyncStorage.clear() made between them is seen", async () => {
    const storage = v2Storage();
    storage.data.set('k', '"v"');
    const { multiGet, getAllKeys } = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage) };
    const held: (() => void)[] = [];
    const hold = <T>(call: () => Promise<T>) => new Promise<void>((resolve) => held.push(resolve)).then(call);
    storage.multiGet = (keys) => hold(() => multiGet(keys));
    const kv = createAsyncStorage(storage);
    const nameOf = (read: Promise<unknown>) => read.then((value) => value, (error: Error) => error.name);
    const first = nameOf(kv.get('k'));
    await vi.advanceTimersByTimeAsync(2 * BOUND);
    expect(await first).toBe('TimeoutError');
    held.splice(0).forEach((answer) => answer()); // the read answers late
    await vi.advanceTimersByTimeAsync(0);
    storage.multiGet = multiGet;
    storage.getAllKeys = () => hold(getAllKeys);
    const second = nameOf(kv.get('k')); // joins the late answer; its listing is slower than the bound
    await vi.advanceTimersByTimeAsync(2 * BOUND);
    expect(await second).toBe('TimeoutError');
    held.splice(0).forEach((answer) => answer()); // the listing runs and answers (to no one) before the clear
    await vi.advanceTimersByTimeAsync(0);
    storage.getAllKeys = getAllKeys;
    storage.data.clear(); // the app's AsyncStorage.clear() (a logout), which the SDK does not see
    expect(await nameOf(kv.get('k'))).toBeUndefined(); // gone when it was asked
  });

  it("a read asked while another read's listing is out gets its own: that listing ran before the app's AsyncStorage.clear() made meanwhile", async () => {
    const storage = v2Storage();
    storage.data.set('k', '"v"');
    const { multiGet, getAllKeys } = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage) };
    const held: (() => void)[] = [];
    const hold = <T>(answer: Promise<T>) => new Promise<void>((resolve) => held.push(resolve)).then(() => answer);
    // Each call runs at once (what it answers is what is stored then) and its answer comes back when released.
    storage.multiGet = (keys) => hold(multiGet(keys));
    const kv = createAsyncStorage(storage);
    const first = kv.get('k').then(() => 'answered', (error: Error) => error.name);
    await vi.advanceTimersByTimeAsync(2 * BOUND);
    expect(await first).toBe('TimeoutError');
    held.splice(0).forEach((answer) => answer()); // the read answers late
    await vi.advanceTimersByTimeAsync(0);
    storage.getAllKeys = () => hold(getAllKeys());
    const beforeClear = kv.get('k'); // joins the late answer; its listing runs, its answer is slow to come back
    await vi.advanceTimersByTimeAsync(0);
    storage.data.clear(); // the app's AsyncStorage.clear() (a logout), which the SDK does not see
    const afterClear = kv.get('k'); // its listing is sent when the one out answers (one at a time)
    await vi.advanceTimersByTimeAsync(0);
    held.splice(0).forEach((answer) => answer());
    await vi.advanceTimersByTimeAsync(0);
    held.splice(0).forEach((answer) => answer());
    expect(await beforeClear).toBe('v'); // stored when it was asked
    expect(await afterClear).toBeUndefined(); // gone when it was asked
  });

  it("a late answer of the device state is not used after the app's AsyncStorage.clear(): the old device id and user id are not written back", async () => {
    const storage = v2Storage();
    storage.data.set('eventline.installed', 'true');
    const client = createEventline(config, { asyncStorage: storage });
    record(client);
    client.identify('user-1');
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    const stored = () => JSON.parse(storage.data.get('eventline.state') ?? 'null') as { deviceId: string; userId?: string } | null;
    const before = stored();
    expect(before?.userId).toBe('user-1');
    const multiGet = storage.multiGet.bind(storage);
    const held: (() => void)[] = [];
    storage.multiGet = (keys) => (keys.includes('eventline.state') ? new Promise<void>((resolve) => held.push(resolve)).then(() => multiGet(keys)) : multiGet(keys));
    client.track('before_logout'); // the state's save reads it first (was Storage cleared?): that read is given up
    await vi.advanceTimersByTimeAsync(2 * BOUND);
    expect(held).toHaveLength(1);
    held.splice(0).forEach((answer) => answer()); // it ran before the app's clear() and answers late
    await vi.advanceTimersByTimeAsync(0);
    storage.multiGet = multiGet;
    storage.data.clear(); // the app's AsyncStorage.clear() at logout, which the SDK does not see
    client.track('after_logout'); // saved again: the read before it must see the clear
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    expect(stored()?.userId).toBeUndefined();
    expect(stored()?.deviceId).not.toBe(before?.deviceId);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });

  it("the old device id and user id are not written back after the app's AsyncStorage.clear() when the listing that checks the late state answer is slower than the bound and answers before the clear", async () => {
    const storage = v2Storage();
    storage.data.set('eventline.installed', 'true');
    const client = createEventline(config, { asyncStorage: storage });
    record(client);
    client.identify('user-1');
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    const stored = () => JSON.parse(storage.data.get('eventline.state') ?? 'null') as { deviceId: string; userId?: string } | null;
    const before = stored();
    expect(before?.userId).toBe('user-1');
    const { multiGet, getAllKeys } = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage) };
    const held: (() => void)[] = [];
    const hold = <T>(call: () => Promise<T>) => new Promise<void>((resolve) => held.push(resolve)).then(call);
    storage.multiGet = (keys) => (keys.includes('eventline.state') ? hold(() => multiGet(keys)) : multiGet(keys));
    client.track('one'); // the state's save reads it first: that read is given up
    await vi.advanceTimersByTimeAsync(2 * BOUND);
    expect(held).toHaveLength(1);
    held.splice(0).forEach((answer) => answer()); // it answers late
    await vi.advanceTimersByTimeAsync(0);
    storage.multiGet = multiGet;
    storage.getAllKeys = () => hold(getAllKeys);
    client.track('two'); // the next save joins the late answer; the listing that checks it is given up
    await vi.advanceTimersByTimeAsync(2 * BOUND);
    expect(held).toHaveLength(1);
    held.splice(0).forEach((answer) => answer()); // that listing answers late, to no one, before the clear
    await vi.advanceTimersByTimeAsync(0);
    storage.getAllKeys = getAllKeys;
    storage.data.clear(); // the app's AsyncStorage.clear() at logout, which the SDK does not see
    client.track('after_logout'); // saved again: the read before it must see the clear
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    expect(stored()?.userId).toBeUndefined();
    expect(stored()?.deviceId).not.toBe(before?.deviceId);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });

  it('reads slower than the bound (8 s each, one call at a time): each is asked once, and the backlog is sent at a later flush', async () => {
    const storage = installedWithBacklog(250);
    storage.readDelayMs = 8000;
    const multiGet = storage.multiGet.bind(storage);
    const queueCalls: number[] = [];
    storage.multiGet = (keys) => (keys.some((k) => k.startsWith(QUEUE_PREFIX)) && queueCalls.push(keys.length), multiGet(keys));
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    const sent = () => ingest.events().filter((e) => e.event === 'from_last_run').length;
    for (let i = 0; i < 10 && sent() < 250; i++) expect(await settlesWithin(client.flush(), 20 * BOUND)).toBe(true);
    expect(sent()).toBe(250);
    // Not one more native call per flush: the 200-key read given up was joined, then its late answer used.
    expect(queueCalls).toEqual([200, 50]);
    expect(notices.drop).toEqual([]);
    expect(await settlesWithin(client.close(), 20 * BOUND)).toBe(true);
  });

  it('a state read that answers after 12 s (past two bounds) is used: the run tracks with the stored device id', async () => {
    const storage = v2Storage();
    storage.data.set('eventline.state', JSON.stringify({ deviceId: 'device-from-last-run', optOut: false, anonymized: false }));
    storage.data.set('eventline.installed', 'true');
    const multiGet = storage.multiGet.bind(storage);
    let loadCalls = 0;
    storage.multiGet = (keys) => {
      if (!keys.includes('eventline.state')) return multiGet(keys);
      if (keys.includes('eventline.optout')) loadCalls++;
      return new Promise<void>((resolve) => setTimeout(resolve, 12_000)).then(() => multiGet(keys));
    };
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    client.track('purchase');
    expect(await settlesWithin(client.flush(), 20 * BOUND)).toBe(true);
    expect(ingest.events().map((e) => [e.event, e.anonymous_id])).toEqual([
      ['app_open', 'device-from-last-run'],
      ['purchase', 'device-from-last-run'],
    ]);
    expect(notices.drop).toEqual([]);
    // Given up at 5 s and at 11 s; the third try (13 s) takes the answer that came at 12 s: one native call.
    expect(timeouts(notices.error, 'state load failed')).toEqual(['TimeoutError', 'TimeoutError']);
    expect(loadCalls).toBe(1);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });
});
