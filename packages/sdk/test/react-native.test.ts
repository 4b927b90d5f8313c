import { describe, expect, it, vi } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import { createEventline, type AsyncStorageLike, type AppStateLike } from '../src/react-native';
import { ENDPOINT, ingestSuite, WRITE_KEY } from './support';

const { ingest, clients } = ingestSuite();

/** AsyncStorage in memory, with the same string-only contract as the real module. */
function memoryAsyncStorage(): AsyncStorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => Promise.resolve(data.get(k) ?? null),
    getAllKeys: () => Promise.resolve([...data.keys()]),
    multiGet: (keys) => Promise.resolve(keys.map((k) => [k, data.get(k) ?? null] as const)),
    multiSet: (pairs) => Promise.resolve(pairs.forEach(([k, v]) => data.set(k, v))),
    multiRemove: (keys) => Promise.resolve(keys.forEach((k) => data.delete(k))),
  };
}

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

function app(asyncStorage: AsyncStorageLike, appState?: AppStateLike) {
  return clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000, flushAt: 1000 }, { asyncStorage, appState }));
}

describe('React Native adapter', () => {
  it('first launch: af_first_open then app_open; a relaunch only app_open, with the same device id', async () => {
    const storage = memoryAsyncStorage();
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
    const getItem = storage.getItem.bind(storage);
    let failures = 1;
    storage.getItem = (key) => (key === 'eventline.state' && failures-- > 0 ? Promise.reject(new Error('transient read error')) : getItem(key));
    const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, retryBaseMs: 1 }, { asyncStorage: storage }));
    client.track('purchase');
    await client.flush();
    await client.close();
    expect(ingest.received).toHaveLength(0);
    expect(storage.data.get('eventline.state')).toBe(stored);
  });

  it('without AsyncStorage (the optional peer not installed) keeps the queue and ids in memory, and tracks', async () => {
    const client = clients.keep(createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT, flushAt: 1 }, { asyncStorage: undefined }));
    client.track('af_purchase');
    await client.flush();
    expect(ingest.events().map((e) => e.event).sort()).toEqual(['af_first_open', 'af_purchase', 'app_open']);
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
