import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStorageLock } from '../src/platform/browser/storage-lock';
import { ingestSuite, record } from './support';

afterEach(() => vi.useRealTimers());

function sharedStore() {
  const map = new Map<string, string>();
  return { map, get: (k: string) => map.get(k) ?? null, set: (k: string, v: string) => void map.set(k, v) };
}

describe('localStorage lock (no Web Locks)', () => {
  it('one holder at a time; a closed holder’s lease expires and the next tab takes over', async () => {
    vi.useFakeTimers();
    const store = sharedStore();
    const held: string[] = [];
    let releaseA: () => void = () => undefined;
    const lockA = createStorageLock(store, 'tab-a', () => Date.now());
    const lockB = createStorageLock(store, 'tab-b', () => Date.now());
    void lockA('sender', () => new Promise<void>((resolve) => ((releaseA = resolve), held.push('a'))));
    void lockB('sender', () => new Promise<void>(() => void held.push('b')));
    await vi.advanceTimersByTimeAsync(3000);
    expect(held).toEqual(['a']); // B sees A's renewed lease and waits

    releaseA(); // tab A closes properly: the lease is cleared
    await vi.advanceTimersByTimeAsync(2000);
    expect(held).toEqual(['a', 'b']);
  });

  it('a tab that vanishes without releasing loses the lease after ttlMs', async () => {
    vi.useFakeTimers();
    const store = sharedStore();
    store.set('eventline.lock.sender', JSON.stringify({ owner: 'crashed-tab', until: Date.now() + 4000 }));
    const held: string[] = [];
    void createStorageLock(store, 'tab-b', () => Date.now())('sender', () => new Promise<void>(() => void held.push('b')));
    await vi.advanceTimersByTimeAsync(3000);
    expect(held).toEqual([]);
    await vi.advanceTimersByTimeAsync(2500);
    expect(held).toEqual(['b']);
  });
});

describe('a lease lost while held (the holder’s main thread stalled past ttlMs)', () => {
  it('held() turns false once another tab owns the lease, and run is called again when it is free', async () => {
    vi.useFakeTimers();
    const store = sharedStore();
    const checks: (() => boolean)[] = [];
    void createStorageLock(store, 'tab-a', () => Date.now())('sender', (held) => new Promise<void>(() => void checks.push(held!)));
    await vi.advanceTimersByTimeAsync(100);
    expect(checks).toHaveLength(1);
    expect(checks[0]!()).toBe(true);

    // A's renewals stalled, its lease expired and tab B claimed it: A must stop sending at once,
    // before its own renew tick runs (a send timer can fire first when the thread wakes).
    store.set('eventline.lock.sender', JSON.stringify({ owner: 'tab-b', until: Date.now() + 4000 }));
    expect(checks[0]!()).toBe(false);
    await vi.advanceTimersByTimeAsync(3000);
    expect(checks).toHaveLength(1); // B's lease is live: A waits

    await vi.advanceTimersByTimeAsync(2000); // B stopped renewing: its lease expired, A takes it again
    expect(checks).toHaveLength(2);
    expect(checks[1]!()).toBe(true);
  });

  it('an expired lease is not held, even while still this tab’s (another tab may be claiming it)', async () => {
    vi.useFakeTimers();
    const store = sharedStore();
    let held: () => boolean = () => true;
    void createStorageLock(store, 'tab-a', () => Date.now())('sender', (h) => new Promise<void>(() => void (held = h!)));
    await vi.advanceTimersByTimeAsync(100);
    store.set('eventline.lock.sender', JSON.stringify({ owner: 'tab-a', until: Date.now() - 1 }));
    expect(held()).toBe(false);
  });
});

describe('a client on the localStorage lease', () => {
  const { ingest, clients } = ingestSuite();
  const KEY = 'eventline.lock.eventline.sender';

  it('stops sending once another tab took the lease over, and sends again when it has it back (no event sent by two tabs)', async () => {
    const store = sharedStore();
    const client = clients.create({ flushAt: 1 }, { lock: createStorageLock(store, 'tab-a', () => Date.now(), 20, 200, 5) });
    client.track('while_leader');
    await vi.waitFor(() => expect(ingest.events().map((e) => e.event)).toEqual(['while_leader']));

    // Tab A stalled past the lease's expiry and tab B took over (B now sends what the tabs queue).
    store.set(KEY, JSON.stringify({ owner: 'tab-b', until: Date.now() + 60_000 }));
    client.track('after_takeover');
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['while_leader']);

    store.set(KEY, ''); // tab B closed: A takes the lease back and sends what waited
    await vi.waitFor(() => expect(ingest.events().map((e) => e.event)).toEqual(['while_leader', 'after_takeover']));
  });
});

/** A localStorage whose quota is used up: every write throws, as the browser's does. */
function fullStore(store = sharedStore()) {
  let writes = 0;
  return {
    store,
    writes: () => writes,
    get: store.get,
    set: () => {
      writes += 1;
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    },
  };
}

describe('a lease that cannot be written (localStorage full)', () => {
  it('the lock rejects with what localStorage threw, once, and stops trying (no error every second)', async () => {
    vi.useFakeTimers();
    const full = fullStore();
    const runs: string[] = [];
    const lock = createStorageLock(full, 'tab-a', () => Date.now())('sender', () => new Promise<void>(() => void runs.push('a')));
    await expect(lock).rejects.toMatchObject({ name: 'QuotaExceededError' });
    const writes = full.writes();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(full.writes()).toBe(writes);
    expect(runs).toEqual([]);
  });

  it('a renewal that fails ends the lease: held() is false and the lock rejects', async () => {
    vi.useFakeTimers();
    const store = sharedStore();
    let fill = false;
    const filling = { get: store.get, set: (k: string, v: string) => (fill ? fullStore().set() : store.set(k, v)) };
    let held: () => boolean = () => false;
    const lock = createStorageLock(filling, 'tab-a', () => Date.now())('sender', (h) => new Promise<void>(() => void (held = h!)));
    const outcome = lock!.then(() => 'resolved', (error: Error) => error.name);
    await vi.advanceTimersByTimeAsync(100);
    expect(held()).toBe(true);
    fill = true; // another script filled the origin's quota
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toBe('QuotaExceededError');
    expect(held()).toBe(false);
  });
});

describe('a client whose lease cannot be written', () => {
  const { ingest, clients } = ingestSuite();

  it('sends its events itself, with one error notice; flush() resolves', async () => {
    const client = clients.create({}, { lock: createStorageLock(fullStore(), 'tab-a', () => Date.now()) });
    const notices = record(client);
    client.track('with_a_full_local_storage');
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['with_a_full_local_storage']);
    expect(notices.error.map((n) => [n.message, (n.error as Error).name])).toEqual([['lock failed', 'QuotaExceededError']]);
  });
});
