import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
 * Fake time a flush() is given: it waits for its AsyncStorage calls, which the device runs one at a
 * time, `ms` each (a cold start's first flush makes 11–12: state, install mark, seq, queue, state
 * save), and at least the minute it was always given.
 */
const flushTime = (ms: number) => Math.max(60_000, 15 * ms);

/**
 * An installed app's AsyncStorage on a slow device: every call (reads, getAllKeys, writes) takes `ms`,
 * one at a time (AsyncStorage's serial queue). `mostReads`: the most reads (multiGet, getAllKeys) ever
 * queued or running at once.
 */
function slowDevice(ms: number) {
  const storage = memoryAsyncStorage('v2') as AsyncStorageV2Like & MemoryAsyncStorage;
  storage.data.set('eventline.state', JSON.stringify({ deviceId: 'device-from-last-run', optOut: false, anonymized: false }));
  storage.data.set('eventline.installed', 'true');
  const own = { multiGet: storage.multiGet.bind(storage), getAllKeys: storage.getAllKeys.bind(storage), multiSet: storage.multiSet.bind(storage), multiRemove: storage.multiRemove.bind(storage) };
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(call: () => Promise<T>): Promise<T> => {
    const turn = last.then(() => new Promise((resolve) => setTimeout(resolve, ms))).then(call);
    last = turn.catch(() => undefined);
    return turn;
  };
  let reads = 0;
  let mostReads = 0;
  const read = <T>(call: () => Promise<T>): Promise<T> => ((mostReads = Math.max(mostReads, ++reads)), inTurn(call).finally(() => reads--));
  storage.multiGet = (keys) => read(() => own.multiGet(keys));
  storage.getAllKeys = () => read(() => own.getAllKeys());
  storage.multiSet = (pairs) => inTurn(() => own.multiSet(pairs));
  storage.multiRemove = (keys) => inTurn(() => own.multiRemove(keys));
  return { storage, mostReads: () => mostReads };
}

describe('a device whose every AsyncStorage call is slow', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  // 5 s and 5.5 s: just over the 5 s bound, each call answers after its read gave up. The reads tried
  // again then each needed a getAllKeys sent after them to answer within 5 s: every launch was untracked.
  for (const ms of [2500, 5000, 5500, 6500]) {
    it(`${ms / 1000} s per call: two launches track every event with the stored device id, and calls do not pile up`, async () => {
      const { storage, mostReads } = slowDevice(ms);
      const client = createEventline(config, { asyncStorage: storage });
      const notices = record(client);
      for (let i = 0; i < 10; i++) {
        client.track(`e${i}`);
        expect(await settlesWithin(client.flush(), flushTime(ms))).toBe(true);
      }
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      client.track('ten_minutes_later');
      expect(await settlesWithin(client.flush(), flushTime(ms))).toBe(true);
      expect(await settlesWithin(client.close(), 120_000)).toBe(true);
      const again = createEventline(config, { asyncStorage: storage });
      const secondLaunch = record(again);
      again.track('second_launch');
      expect(await settlesWithin(again.flush(), flushTime(ms))).toBe(true);
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      again.track('second_launch_later');
      expect(await settlesWithin(again.flush(), flushTime(ms))).toBe(true);
      expect(await settlesWithin(again.close(), 120_000)).toBe(true);
      expect([...notices.drop, ...secondLaunch.drop]).toEqual([]);
      const names = ingest.events().map((e) => e.event);
      expect(names.filter((name) => name === 'app_open')).toHaveLength(2);
      expect(names.filter((name) => name !== 'app_open')).toEqual([...Array.from({ length: 10 }, (_, i) => `e${i}`), 'ten_minutes_later', 'second_launch', 'second_launch_later']);
      expect(new Set(ingest.events().map((e) => e.anonymous_id))).toEqual(new Set(['device-from-last-run']));
      // Reads of different keys (device state, opt-out record, install mark, queue, a listing) waiting
      // behind the writes; one asked anew per try would grow with the 15 minutes of retries.
      expect(mostReads()).toBeLessThanOrEqual(8);
    }, 120_000);
  }

  // 8 s: the second launch's read tried again by adoptLate() failed too, and nothing waited for the read
  // given up then: the run stayed untracked though every read answers.
  it('8 s per call: a launch whose state reads all time out tracks once one of them answers, with the stored device id', async () => {
    const ms = 8000;
    const { storage } = slowDevice(ms);
    const client = createEventline(config, { asyncStorage: storage });
    record(client);
    client.track('first_launch');
    expect(await settlesWithin(client.close(), 120_000)).toBe(true);
    const again = createEventline(config, { asyncStorage: storage });
    const notices = record(again);
    again.track('second_launch');
    expect(await settlesWithin(again.flush(), flushTime(ms))).toBe(true);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    again.track('second_launch_later');
    expect(await settlesWithin(again.close(), 120_000)).toBe(true);
    // Calls made before the state was read are dropped (reported), as for a state that cannot be read.
    expect(notices.drop.every((drop) => drop.reason === 'consent')).toBe(true);
    const later = ingest.events().filter((e) => e.event === 'second_launch_later');
    expect(later.map((e) => e.anonymous_id)).toEqual(['device-from-last-run']);
  }, 120_000);
});
