import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ASYNC_STORAGE_MAX_WAIT_MS as MOST, ASYNC_STORAGE_TIMEOUT_MS as BOUND } from '../src/platform/react-native/time-bound';
import { createEventline, type AsyncStorageV2Like } from '../src/react-native';
import { memoryAsyncStorage, type MemoryAsyncStorage } from './memory-async-storage';
import { ENDPOINT, ingestSuite, record, WRITE_KEY } from './support';

const { ingest } = ingestSuite();
const config = { writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000, flushAt: 1000 };

/** Whether `promise` settles within `ms` of fake time. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true), () => (settled = true));
  for (let waited = 0; waited < ms && !settled; waited += 100) await vi.advanceTimersByTimeAsync(100);
  return settled;
}

/**
 * An installed app's AsyncStorage whose calls run one at a time (its serial queue), each taking
 * `device.ms`; once `device.hung`, no call answers any more (and the calls behind it wait forever).
 */
function device(ms: number) {
  const storage = memoryAsyncStorage('v2') as AsyncStorageV2Like & MemoryAsyncStorage;
  storage.data.set('eventline.state', JSON.stringify({ deviceId: 'device-from-last-run', optOut: false, anonymized: false }));
  storage.data.set('eventline.installed', 'true');
  const own = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage), multiSet: storage.multiSet.bind(storage), multiRemove: storage.multiRemove.bind(storage) };
  const state = { ms, hung: false };
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(call: () => Promise<T>): Promise<T> => {
    const turn = last.then(() => (state.hung ? new Promise<never>(() => undefined) : new Promise((resolve) => setTimeout(resolve, state.ms)))).then(call);
    last = turn.catch(() => undefined);
    return turn;
  };
  storage.multiGet = (keys) => inTurn(() => own.multiGet(keys));
  storage.getAllKeys = () => inTurn(() => own.getAllKeys());
  storage.multiSet = (pairs) => inTurn(() => own.multiSet(pairs));
  storage.multiRemove = (keys) => inTurn(() => own.multiRemove(keys));
  return { storage, state };
}

const sent = (prefix: string) => ingest.events().filter((e) => String(e.event).startsWith(prefix)).map((e) => String(e.event));

describe('AsyncStorage that hangs, after calls that were slow or fast, while the app keeps tracking', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  // The queue writes on one chain, one write per track(), and flush()/close() wait for it. Each write
  // to the hung module waited a whole wait (30 s once slow calls had grown it): tracking more than once
  // a wait, the chain never drained, so no flush sent anything, and close() took up to 10 minutes.
  for (const slowMs of [0, 25_000]) {
    it(`${slowMs ? 'after calls of 25 s (the wait grown to 30 s)' : 'after fast calls'}: each flush() sends the events tracked before it, and close() ends within about one wait`, async () => {
      const { storage, state } = device(slowMs || 50);
      /** About one wait, the wait these calls grew it to: a flush's queue writes, then its queue read, given up. */
      const aboutOneWait = 3 * (slowMs ? MOST : BOUND);
      const client = createEventline(config, { asyncStorage: storage });
      client.track('before');
      if (slowMs) await vi.advanceTimersByTimeAsync(4 * 60_000); // several calls answer after their wait: it grows
      state.ms = 50;
      expect(await settlesWithin(client.flush(), 5 * MOST)).toBe(true);
      state.hung = true;
      const tracked: string[] = [];
      for (let round = 0; round < 3; round++) {
        // An event every 3 s for 30 s (more than one a wait), then a flush.
        for (let i = 0; i < 10; i++) {
          tracked.push(`hung_${round}_${i}`);
          client.track(tracked.at(-1) as string);
          await vi.advanceTimersByTimeAsync(3000);
        }
        expect(await settlesWithin(client.flush(), aboutOneWait)).toBe(true);
        expect(sent('hung_')).toEqual(tracked);
      }
      client.track('last');
      expect(await settlesWithin(client.close(), aboutOneWait)).toBe(true);
      expect(sent('last')).toEqual(['last']);
    }, 60_000);
  }

  it('the wait grown by slow calls shrinks back once calls answer quickly: a module that hangs then is given up after the first wait', async () => {
    const { storage, state } = device(MOST + 5000);
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    // Calls slower than the longest wait (late answers grow it) until one is given up after the longest.
    const longest = () => notices.error.some((n) => String(n.error).includes(`no answer within ${MOST} ms`));
    for (let i = 0; i < 20 && !longest(); i++) {
      client.track(`slow_${i}`);
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(longest()).toBe(true);
    state.ms = 50;
    for (let i = 0; i < 5; i++) {
      client.track(`quick_${i}`);
      expect(await settlesWithin(client.flush(), 5 * MOST)).toBe(true);
    }
    notices.error.length = 0;
    state.hung = true;
    client.track('hung');
    await vi.advanceTimersByTimeAsync(MOST);
    expect(notices.error.map((n) => String(n.error))).toContain(`TimeoutError: AsyncStorage write: no answer within ${BOUND} ms`);
    expect(await settlesWithin(client.close(), 2 * MOST)).toBe(true);
    expect(sent('hung')).toEqual(['hung']);
  }, 60_000);
});
