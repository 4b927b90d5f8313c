import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import { ASYNC_STORAGE_TIMEOUT_MS as BOUND } from '../src/platform/react-native/time-bound';
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

  it('a state read that never answers is tried again like a failed read: the stored device id holds, nothing is written over it', async () => {
    const storage = v2Storage();
    const stored = JSON.stringify({ deviceId: 'device-from-last-run', optOut: false, anonymized: false });
    storage.data.set('eventline.state', stored);
    storage.data.set('eventline.installed', 'true');
    const multiGet = storage.multiGet.bind(storage);
    let lost = 1;
    storage.multiGet = (keys) => (keys.includes('eventline.state') && lost-- > 0 ? never() : multiGet(keys));
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    client.track('purchase');
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    expect(ingest.events().map((e) => [e.event, e.anonymous_id])).toEqual([
      ['app_open', 'device-from-last-run'],
      ['purchase', 'device-from-last-run'],
    ]);
    expect(timeouts(notices.error, 'state load failed')).toEqual(['TimeoutError']);
    expect(JSON.parse(storage.data.get('eventline.state') ?? '{}')).toMatchObject({ deviceId: 'device-from-last-run' });
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

  it('a queue read that never answers: its entries stay stored (reported), the 200-key call is not asked again key by key, and they are sent once reads answer', async () => {
    const storage = v2Storage();
    storage.data.set('eventline.installed', 'true');
    const at = Date.now() - 60_000;
    for (let i = 0; i < 250; i++) {
      const e = { event_id: `stored-${i}`, type: 'track', event: 'from_last_run', anonymous_id: 'device-from-last-run', seq: i, timestamp: new Date(at).toISOString(), context: { library: { name: 'eventline', version: '0.1.0' } } };
      storage.data.set(QUEUE_PREFIX + e.event_id, JSON.stringify({ e, t: at + i, n: 0, b: 0 }));
    }
    const multiGet = storage.multiGet.bind(storage);
    let answering = false;
    const queueCalls: number[] = [];
    storage.multiGet = (keys) => {
      if (!keys.some((k) => k.startsWith(QUEUE_PREFIX))) return multiGet(keys);
      queueCalls.push(keys.length);
      return answering ? multiGet(keys) : never();
    };
    const client = createEventline(config, { asyncStorage: storage });
    const notices = record(client);
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    // 200 + 50 keys per reload (the one at start, then flush()'s), each call given up whole.
    expect(queueCalls).toEqual([200, 50, 200, 50]);
    expect(timeouts(notices.error, 'queue read failed')[0]).toBe('TimeoutError');
    expect([...storage.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX))).toHaveLength(250);
    answering = true;
    expect(await settlesWithin(client.flush(), 4 * BOUND)).toBe(true);
    expect(ingest.events().filter((e) => e.event === 'from_last_run')).toHaveLength(250);
    expect(notices.drop).toEqual([]);
    expect(await settlesWithin(client.close(), 4 * BOUND)).toBe(true);
  });
});
