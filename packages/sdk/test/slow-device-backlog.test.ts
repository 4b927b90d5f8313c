import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import { createEventline, type AsyncStorageV2Like } from '../src/react-native';
import { memoryAsyncStorage, type MemoryAsyncStorage } from './memory-async-storage';
import { ENDPOINT, ingestSuite, record, WRITE_KEY } from './support';

const { ingest } = ingestSuite();
const BACKLOG = 250;

/**
 * An installed app's AsyncStorage holding the state and `BACKLOG` events of an earlier run (queued,
 * stored, not sent before the app was killed), on a device whose every call (reads, getAllKeys,
 * writes) takes `ms`, one at a time (AsyncStorage's serial queue). `mostReads`: the most reads
 * (multiGet, getAllKeys) ever queued or running at once.
 */
function slowDeviceWithBacklog(ms: number) {
  const storage = memoryAsyncStorage('v2') as AsyncStorageV2Like & MemoryAsyncStorage;
  storage.data.set('eventline.state', JSON.stringify({ deviceId: 'device-from-last-run', optOut: false, anonymized: false }));
  storage.data.set('eventline.installed', 'true');
  const at = Date.now() - 60_000;
  for (let i = 0; i < BACKLOG; i++) {
    const e = { event_id: `stored-${i}`, type: 'track', event: 'from_last_run', anonymous_id: 'device-from-last-run', seq: i, timestamp: new Date(at).toISOString(), context: { library: { name: 'eventline', version: '0.1.0' } } };
    storage.data.set(QUEUE_PREFIX + e.event_id, JSON.stringify({ e, t: at + i, n: 0, b: 0 }));
  }
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

const backlogSent = () => ingest.events().filter((e) => e.event === 'from_last_run');

describe('a slow device (every AsyncStorage call 5.5–8 s) launched with a backlog an earlier run stored', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  // Every call slower than the 5 s wait: every queue read was given up. A late answer serves a later
  // read only once a getAllKeys sent after that read shows its keys still stored, and that listing, as
  // slow, was given up too: the backlog was never sent, one `queue read failed` per flush, for good.
  for (const ms of [5500, 6500, 8000]) {
    it(`${ms / 1000} s per call: the backlog is sent within 10 minutes of the launch, once each, and so are events tracked then`, async () => {
      const { storage, mostReads } = slowDeviceWithBacklog(ms);
      const client = createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT }, { asyncStorage: storage });
      const notices = record(client);
      for (let waited = 0; waited < 10 * 60_000 && backlogSent().length < BACKLOG; waited += 1000) await vi.advanceTimersByTimeAsync(1000);
      expect(backlogSent().map((e) => e.event_id).sort()).toEqual(Array.from({ length: BACKLOG }, (_, i) => `stored-${i}`).sort());
      client.track('after_the_backlog');
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      expect(ingest.events().filter((e) => e.event === 'after_the_backlog').map((e) => e.anonymous_id)).toEqual(['device-from-last-run']);
      expect(notices.drop).toEqual([]);
      expect([...storage.data.keys()].filter((key) => key.startsWith(QUEUE_PREFIX))).toEqual([]);
      // Reads of different keys (state, opt-out record, install mark, seq, queue, a listing) at most,
      // not one more per flush.
      expect(mostReads()).toBeLessThanOrEqual(8);
    }, 120_000);
  }
});
