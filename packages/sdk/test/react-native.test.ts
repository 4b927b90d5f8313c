import { describe, expect, it, vi } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import { INSTALL_READ_TIMEOUT_MS, INSTALLED } from '../src/platform/react-native/install-mark';
import { createReactNativePlatform, NO_ASYNC_STORAGE } from '../src/platform/react-native/platform';
import { createMemoryStorage } from '../src/node';
import { createEventline, type AppStateLike, type AsyncStorageLike } from '../src/react-native';
import { memoryAsyncStorage } from './memory-async-storage';
import { ENDPOINT, ingestSuite, optOutRoundTrip, WRITE_KEY } from './support';

const { ingest, clients } = ingestSuite();

/** React Native's AppState: `currentState` at creation, `set` moves it and tells the listeners. */
function fakeAppState(initial = 'active') {
  const listeners = new Set<(s: string) => void>();
  const appState: AppStateLike & { currentState: string } = {
    currentState: initial,
    addEventListener: (_type, listener) => {
      listeners.add(listener);
      return { remove: () => listeners.delete(listener) };
    },
  };
  const set = (s: string) => {
    appState.currentState = s;
    listeners.forEach((l) => l(s));
  };
  return { appState, set, listeners };
}

/** A queue entry as an earlier run of the app persisted it. */
function storedEntry(id: string, t: number) {
  const e = { event_id: id, type: 'track', event: 'from_last_run', anonymous_id: 'device-from-last-run', seq: 1, timestamp: new Date(t).toISOString(), context: { library: { name: 'eventline', version: '0.1.0' } } };
  return { e, t, n: 0, b: 0 };
}

function app(asyncStorage: AsyncStorageLike, appState?: AppStateLike) {
  return clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000, flushAt: 1000 }, { asyncStorage, appState }));
}

describe('React Native adapter', () => {
  it.each(['v2', 'v3'] as const)('first launch: af_first_open then app_open; a relaunch only app_open, with the same device id (AsyncStorage %s)', async (shape) => {
    const storage = memoryAsyncStorage(shape);
    const first = app(storage);
    await vi.waitFor(async () => {
      await first.flush();
      expect(ingest.events().map((e) => e.event)).toEqual(['af_first_open', 'app_open']);
    });
    await first.close();
    const second = app(storage);
    await vi.waitFor(async () => {
      await second.flush();
      expect(ingest.events().map((e) => e.event)).toEqual(['af_first_open', 'app_open', 'app_open']);
    });
    expect(new Set(ingest.events().map((e) => e.anonymous_id)).size).toBe(1);
    expect(JSON.parse(storage.data.get('eventline.installed') ?? 'false')).toBe(true);
  });

  it("consent 'pending': nothing is stored, not even the install mark, until consent is granted", async () => {
    const storage = memoryAsyncStorage();
    const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushAt: 1, consent: 'pending' }, { asyncStorage: storage }));
    await new Promise((resolve) => setTimeout(resolve, 20)); // the install check has run
    expect([...storage.data.keys()]).toEqual([]);
    client.setConsent(true);
    await vi.waitFor(() => expect(storage.data.get('eventline.installed')).toBe('true'));
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().map((e) => e.event)).toEqual(['af_first_open', 'app_open']);
    });
  });

  it('one failed AsyncStorage read of the state at start: the stored device id and opt-out hold, nothing is written over them', async () => {
    const storage = memoryAsyncStorage();
    const stored = JSON.stringify({ deviceId: 'device-from-last-run', optOut: true, anonymized: false });
    storage.data.set('eventline.state', stored);
    storage.data.set('eventline.installed', 'true');
    let failures = 1;
    storage.beforeRead = (keys) => {
      if (keys.includes('eventline.state') && failures-- > 0) throw new Error('transient read error');
    };
    const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, retryBaseMs: 1 }, { asyncStorage: storage }));
    client.track('purchase');
    await client.flush();
    await client.close();
    expect(ingest.received).toHaveLength(0);
    expect(storage.data.get('eventline.state')).toBe(stored);
  });

  it('without AsyncStorage (the optional peer not installed) keeps the queue and ids in memory, tracks, says so once, and claims no af_first_open', async () => {
    const errors: { message: string; error: unknown }[] = [];
    for (let run = 0; run < 2; run++) {
      const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushAt: 1 }, { asyncStorage: undefined }));
      client.on('error', (e) => errors.push({ message: e.message, error: e.error }));
      client.track('af_purchase');
      await client.flush();
      await client.close();
    }
    // Each start would be a "first" open: none is claimed.
    expect(ingest.events().map((e) => e.event).sort()).toEqual(['af_purchase', 'af_purchase', 'app_open', 'app_open']);
    expect(errors).toEqual([
      { message: 'storage failed', error: new Error(NO_ASYNC_STORAGE) },
      { message: 'storage failed', error: new Error(NO_ASYNC_STORAGE) },
    ]);
  });

  it('keeps the queue in AsyncStorage; background sends it, foreground tracks app_open', async () => {
    const storage = memoryAsyncStorage();
    const { appState, set } = fakeAppState();
    const client = app(storage, appState);
    client.track('af_purchase', { af_revenue: 3, af_currency: 'EUR' });
    await vi.waitFor(() => expect([...storage.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX)).length).toBeGreaterThanOrEqual(1));
    set('background');
    await vi.waitFor(() => expect(ingest.events().map((e) => e.event)).toContain('af_purchase'));
    await vi.waitFor(() => expect([...storage.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX))).toEqual([]));
    set('active');
    await client.flush();
    expect(ingest.events().filter((e) => e.event === 'app_open')).toHaveLength(2);
  });

  it('iOS active → inactive → active (Notification Center, a call, a permission alert) is no app_open; inactive sends what is queued', async () => {
    const { appState, set } = fakeAppState('active');
    const client = app(memoryAsyncStorage(), appState);
    await client.flush();
    client.track('af_content_view');
    set('inactive');
    await vi.waitFor(() => expect(ingest.events().map((e) => e.event)).toContain('af_content_view'));
    set('active');
    set('inactive');
    set('active');
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['af_first_open', 'app_open', 'af_content_view']);
  });

  it.each(['background', 'inactive', 'unknown'])(
    "launched with AppState '%s' (silent push, background fetch, iOS launching): no open until the first 'active'",
    async (launchState) => {
      const storage = memoryAsyncStorage();
      const { appState, set } = fakeAppState(launchState);
      const client = app(storage, appState);
      client.track('push_received');
      await client.flush();
      expect(ingest.events().map((e) => e.event)).toEqual(['push_received']);
      expect(storage.data.has('eventline.installed')).toBe(false); // the first open is still to come
      set('active');
      await vi.waitFor(async () => {
        await client.flush();
        expect(ingest.events().map((e) => e.event)).toEqual(['push_received', 'af_first_open', 'app_open']);
      });
      await vi.waitFor(() => expect(storage.data.get('eventline.installed')).toBe('true'));
    },
  );

  it('reads a stored queue 200 keys per AsyncStorage call at most (Android binds each key in one SQL statement)', async () => {
    const storage = memoryAsyncStorage();
    const at = Date.now() - 60_000;
    for (let i = 0; i < 450; i++) storage.data.set(QUEUE_PREFIX + `stored-${i}`, JSON.stringify(storedEntry(`stored-${i}`, at + i)));
    const client = app(storage);
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().filter((e) => e.event === 'from_last_run')).toHaveLength(450);
    });
    const queueReads = storage.reads.filter((keys) => keys.some((k) => k.startsWith(QUEUE_PREFIX)));
    expect(Math.max(...queueReads.map((keys) => keys.length))).toBe(200);
    expect(new Set(queueReads.flat()).size).toBe(450);
  });

  it('a stored queue entry that does not parse costs itself only: the others are sent, it is removed and reported (unreadable)', async () => {
    const storage = memoryAsyncStorage();
    const at = Date.now() - 60_000;
    storage.data.set(QUEUE_PREFIX + 'good-1', JSON.stringify(storedEntry('good-1', at)));
    storage.data.set(QUEUE_PREFIX + 'torn', '{"e":{"event_id":"torn"');
    storage.data.set(QUEUE_PREFIX + 'not-an-entry', '42');
    storage.data.set(QUEUE_PREFIX + 'good-2', JSON.stringify(storedEntry('good-2', at + 1)));
    const client = app(storage);
    const drops: { reason: string; message: string; events: number }[] = [];
    client.on('drop', (d) => drops.push({ reason: d.reason, message: d.message, events: d.events.length }));
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().filter((e) => e.event === 'from_last_run').map((e) => e.event_id)).toEqual(['good-1', 'good-2']);
    });
    expect(drops).toEqual([{ reason: 'unreadable', message: '2 unreadable', events: 0 }]);
    await vi.waitFor(() => expect([...storage.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX))).toEqual([]));
  });

  it('optOut() right after createEventline: the calls made before it are judged as allowed (identify keeps its user id), those after as opted out', async () => {
    const storage = memoryAsyncStorage();
    const client = app(storage);
    const drops: { reason: string; message: string; events: (string | undefined)[] }[] = [];
    client.on('drop', (d) => drops.push({ reason: d.reason, message: d.message, events: d.events.map((e) => e.event ?? e.type) }));
    client.identify('user-before');
    client.optOut();
    client.track('while_opted_out');
    await client.flush(); // loaded, the held calls have run
    client.optIn();
    client.track('after_opt_in');
    await client.flush();
    // Queued while allowed, then dropped by optOut() as it drops the queue; not refused at the call.
    expect(drops).toEqual([
      { reason: 'consent', message: 'opted out', events: ['af_first_open', 'app_open', 'identify'] },
      { reason: 'consent', message: 'opted out', events: ['while_opted_out'] },
    ]);
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([['after_opt_in', 'user-before']]);
    expect(storage.data.get('eventline.optout')).toBe('false');
  });

  it.each([
    ['read again key by key (the 200-key call failed)', 1],
    ['tried again by the state load (retryBaseMs later)', 2],
  ])('the first state read fails and is %s after optOut(): the calls made before it are still judged as allowed', async (_how, failures) => {
    const storage = memoryAsyncStorage();
    storage.data.set('eventline.installed', 'true');
    storage.beforeRead = (keys) => {
      if (keys.includes('eventline.state') && failures-- > 0) throw new Error('database is locked');
    };
    const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000, flushAt: 1000, retryBaseMs: 20 }, { asyncStorage: storage }));
    const drops: (string | undefined)[] = [];
    client.on('drop', (d) => drops.push(...d.events.map((e) => e.event ?? e.type)));
    await optOutRoundTrip(client);
    // Queued while allowed, then dropped by optOut() as it drops the queue; not refused at the call.
    expect(drops).toEqual(['app_open', 'identify', 'while_opted_out']);
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([['after_opt_in', 'user-before']]);
  });

  it("consent: 'pending', then setConsent(true), identify() and optOut() while the install read is pending: the identify before optOut() counts", async () => {
    const storage = memoryAsyncStorage();
    const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000, flushAt: 1000, consent: 'pending' }, { asyncStorage: storage }));
    client.setConsent(true); // the state load starts when the gate lets this run, after optOut() was stored
    client.identify('user-before');
    client.optOut();
    expect(storage.data.get('eventline.optout')).toBe('true'); // stored at the call
    await client.flush();
    client.optIn();
    client.track('after_opt_in');
    await client.flush();
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([['after_opt_in', 'user-before']]);
  });

  it('optIn() right after createEventline on an opted-out device: the calls made before it are judged as opted out, those after as allowed', async () => {
    const storage = memoryAsyncStorage();
    storage.data.set('eventline.state', JSON.stringify({ deviceId: 'device-from-last-run', optOut: true, anonymized: false }));
    storage.data.set('eventline.optout', 'true');
    storage.data.set('eventline.installed', 'true');
    const client = app(storage);
    const drops: (string | undefined)[] = [];
    client.on('drop', (d) => drops.push(...d.events.map((e) => e.event ?? e.type)));
    client.track('before_opt_in');
    client.optIn();
    expect(storage.data.get('eventline.optout')).toBe('false'); // stored at the call
    client.track('after_opt_in');
    await client.flush();
    expect(drops).toEqual(['app_open', 'before_opt_in']);
    expect(ingest.events().map((e) => e.event)).toEqual(['after_opt_in']);
  });

  it('an install-mark read that never settles holds the calls INSTALL_READ_TIMEOUT_MS at most: then app_open (no first open claimed) and the calls run, flush() and close() settle', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const inner = createMemoryStorage();
      // A stuck native module: this one read never answers; the rest of storage works.
      const storage = { ...inner, get: <T>(key: string) => (key === INSTALLED ? new Promise<T | undefined>(() => undefined) : inner.get<T>(key)) };
      const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000, flushAt: 1000 }, {}, { storage }));
      client.track('early');
      let settled = false;
      const flushed = client.flush().then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(INSTALL_READ_TIMEOUT_MS - 1);
      expect(settled).toBe(false); // still waiting for the read
      await vi.advanceTimersByTimeAsync(1);
      await flushed;
      expect(ingest.events().map((e) => e.event)).toEqual(['app_open', 'early']);
      expect(await inner.get(INSTALLED)).toBeUndefined();
      await client.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a stored queue read that fails (a busy database) keeps every entry: nothing is dropped, the error is reported, they are sent once a read works', async () => {
    const storage = memoryAsyncStorage();
    const at = Date.now() - 60_000;
    for (let i = 0; i < 250; i++) storage.data.set(QUEUE_PREFIX + `stored-${i}`, JSON.stringify(storedEntry(`stored-${i}`, at + i)));
    let failing = true;
    storage.beforeRead = (keys) => {
      if (failing && keys.some((k) => k.startsWith(QUEUE_PREFIX))) throw new Error('database is locked');
    };
    const client = app(storage);
    const errors: string[] = [];
    const drops: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    client.on('drop', (d) => drops.push(d.reason));
    await client.flush();
    expect(errors).toContain('queue read failed');
    expect(ingest.events().filter((e) => e.event === 'from_last_run')).toEqual([]);
    expect([...storage.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX))).toHaveLength(250);
    failing = false;
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().filter((e) => e.event === 'from_last_run')).toHaveLength(250);
    });
    expect(drops).toEqual([]);
  });

  it('entries a failed read left in AsyncStorage are read again on the flush interval, with nothing else queued to trigger a flush', async () => {
    const storage = memoryAsyncStorage();
    storage.data.set(QUEUE_PREFIX + 'stored-1', JSON.stringify(storedEntry('stored-1', Date.now() - 60_000)));
    storage.data.set('eventline.installed', 'true');
    let failing = true;
    storage.beforeRead = (keys) => {
      if (failing && keys.some((k) => k.startsWith(QUEUE_PREFIX))) throw new Error('database is locked');
    };
    const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 20 }, { asyncStorage: storage }));
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    await client.flush(); // app_open sent; the stored entry could not be read
    expect(errors).toContain('queue read failed');
    failing = false;
    await vi.waitFor(() => expect(ingest.events().map((e) => e.event_id)).toContain('stored-1'));
  });

  it('a stored row that never reads (too big for the CursorWindow) fails its 200-key call, not the other 199 entries: they are sent, it stays stored', async () => {
    const storage = memoryAsyncStorage();
    const at = Date.now() - 60_000;
    for (let i = 0; i < 200; i++) storage.data.set(QUEUE_PREFIX + `stored-${i}`, JSON.stringify(storedEntry(`stored-${i}`, at + i)));
    storage.beforeRead = (keys) => {
      if (keys.includes(QUEUE_PREFIX + 'stored-7')) throw new Error('Row too big to fit into CursorWindow');
    };
    const client = app(storage);
    const errors: string[] = [];
    const drops: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    client.on('drop', (d) => drops.push(d.reason));
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().filter((e) => e.event === 'from_last_run')).toHaveLength(199);
    });
    expect(ingest.events().map((e) => e.event_id)).not.toContain('stored-7');
    expect(storage.reads.some((keys) => keys.length === 200)).toBe(true); // the chunk was tried whole first
    expect(errors).toContain('queue read failed');
    expect(drops).toEqual([]);
    expect([...storage.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX))).toEqual([QUEUE_PREFIX + 'stored-7']);
  });

  it('a stored row that never reads is reported once per app run, not at every flush interval; it stays stored and is read again; a second such row is reported too', async () => {
    const storage = memoryAsyncStorage();
    storage.data.set('eventline.installed', 'true');
    const at = Date.now() - 60_000;
    const bad = new Set([QUEUE_PREFIX + 'too-big-1']);
    for (const id of ['too-big-1', 'too-big-2']) storage.data.set(QUEUE_PREFIX + id, JSON.stringify(storedEntry(id, at)));
    const tries = new Map<string, number>();
    storage.beforeRead = (keys) => {
      for (const key of keys) if (bad.has(key)) tries.set(key, (tries.get(key) ?? 0) + 1);
      if (keys.some((k) => bad.has(k))) throw new Error('Row too big to fit into CursorWindow');
    };
    const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 20 }, { asyncStorage: storage }));
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    await vi.waitFor(() => expect(tries.get(QUEUE_PREFIX + 'too-big-1')).toBeGreaterThanOrEqual(5), { timeout: 5000 });
    expect(errors).toEqual(['queue read failed']);
    bad.add(QUEUE_PREFIX + 'too-big-3');
    storage.data.set(QUEUE_PREFIX + 'too-big-3', JSON.stringify(storedEntry('too-big-3', at)));
    await vi.waitFor(() => expect(tries.get(QUEUE_PREFIX + 'too-big-3')).toBeGreaterThanOrEqual(5), { timeout: 5000 });
    expect(errors).toEqual(['queue read failed', 'queue read failed']);
    expect([...storage.data.keys()].filter((k) => k.startsWith(QUEUE_PREFIX)).sort()).toEqual([QUEUE_PREFIX + 'too-big-1', QUEUE_PREFIX + 'too-big-3']);
    expect(ingest.events().map((e) => e.event_id)).toContain('too-big-2');
  });

  it('a queue write that failed is written again with the next one (the stored copy does not stay behind memory)', async () => {
    const storage = memoryAsyncStorage();
    let failures = 1;
    storage.beforeWrite = (keys) => {
      if (keys.some((k) => k.startsWith(QUEUE_PREFIX)) && failures-- > 0) throw new Error('disk full');
    };
    const client = app(storage);
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    client.track('first');
    await vi.waitFor(() => expect(errors).toEqual(['queue write failed']));
    const stored = () => [...storage.data.entries()].filter(([k]) => k.startsWith(QUEUE_PREFIX)).map(([, v]) => (JSON.parse(v) as { e: { event: string } }).e.event);
    expect(stored()).not.toContain('first');
    client.track('second');
    await vi.waitFor(() => expect(stored()).toEqual(expect.arrayContaining(['first', 'second'])));
    expect(errors).toEqual(['queue write failed']);
  });

  it('background sends the whole queue, every batch, not only the 64 KiB of the hide path', async () => {
    const { appState, set } = fakeAppState('active');
    const client = app(memoryAsyncStorage(), appState);
    await client.flush();
    const text = 'x'.repeat(3000);
    for (let i = 0; i < 60; i++) client.track('big', { text, i });
    set('background');
    await vi.waitFor(() => expect(ingest.events().filter((e) => e.event === 'big')).toHaveLength(60));
  });

  it('crypto.getRandomValues that throws (no react-native-get-random-values): Math.random, and init and track work', async () => {
    const getRandomValues = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(() => {
      throw new Error('crypto.getRandomValues() not supported');
    });
    try {
      // Longer than the SDK's pool of random bytes: it must draw new ones, from crypto first.
      const bytes = createReactNativePlatform({}).randomBytes(8192);
      expect(getRandomValues).toHaveBeenCalled();
      expect(bytes).toHaveLength(8192);
      expect(new Set(bytes).size).toBeGreaterThan(200);
      const client = app(memoryAsyncStorage());
      client.track('one');
      client.track('two');
      await client.flush();
      const events = ingest.events();
      expect(events.map((e) => e.event)).toEqual(['af_first_open', 'app_open', 'one', 'two']);
      expect(new Set(events.map((e) => e.event_id)).size).toBe(4);
    } finally {
      getRandomValues.mockRestore();
    }
  });

  it('the queue holds 1 MB by default (AsyncStorage on Android: 6 MB in all, ~2 MB per read): the oldest go beyond it', async () => {
    const client = app(memoryAsyncStorage());
    const drops: { reason: string; events: number }[] = [];
    client.on('drop', (d) => drops.push({ reason: d.reason, events: d.events.length }));
    const text = 'x'.repeat(100_000);
    for (let i = 0; i < 12; i++) client.track('big', { text, i });
    await vi.waitFor(() => expect(drops.filter((d) => d.reason === 'queue_full').reduce((n, d) => n + d.events, 0)).toBeGreaterThanOrEqual(2));
    await client.flush();
    const sent = ingest.events().filter((e) => e.event === 'big');
    expect(sent.length).toBeLessThanOrEqual(10);
    expect(sent.at(-1)?.properties).toMatchObject({ i: 11 }); // the newest stay
  });

  it('af_first_open and app_open are queued before the calls made right after createEventline, however slow the install read', async () => {
    const storage = memoryAsyncStorage();
    let release = () => undefined as void;
    storage.readGate = new Promise<void>((resolve) => (release = resolve));
    const first = app(storage);
    first.track('early');
    first.identify('user-1');
    first.screen('Home');
    const flushed = first.flush();
    release();
    await flushed;
    await vi.waitFor(() => expect(storage.data.get('eventline.installed')).toBe('true'));
    expect(ingest.events().map((e) => e.event ?? e.type)).toEqual(['af_first_open', 'app_open', 'early', 'identify', 'Home']);
    await first.close();
    storage.readGate = new Promise<void>((resolve) => (release = resolve));
    const second = app(storage);
    second.track('early_again');
    const closed = second.close(); // held too: it runs after the open and the call
    release();
    await closed;
    expect(ingest.events().map((e) => e.event ?? e.type).slice(5)).toEqual(['app_open', 'early_again']);
  });

  it('close() removes the AppState listener: later state changes track nothing and report no drop', async () => {
    const { appState, set, listeners } = fakeAppState('active');
    const client = app(memoryAsyncStorage(), appState);
    const drops: string[] = [];
    client.on('drop', (d) => drops.push(`${d.reason}: ${d.message}`));
    await client.flush();
    await client.close();
    expect(listeners.size).toBe(0);
    set('background');
    set('active');
    expect(drops).toEqual([]);
  });
});
