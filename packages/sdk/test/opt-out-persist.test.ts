import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEventline as createBrowserClient } from '../src/index';
import { createMemoryStorage } from '../src/node';
import { createIdbStorage } from '../src/platform/browser/storage-idb';
import { createEventline as createAppClient } from '../src/react-native';
import type { Client, Storage } from '../src/public-types';
import { memoryAsyncStorage } from './memory-async-storage';
import { ENDPOINT, ingestSuite, record, WRITE_KEY, withEntries } from './support';

const { ingest, clients } = ingestSuite();
const config = { writeKey: WRITE_KEY, endpoint: ENDPOINT, flushIntervalMs: 60_000 };
// The browser clients below run in a page (without a document the browser entry is the server's no-op client).
beforeEach(() => vi.stubGlobal('document', {}));
afterEach(() => vi.unstubAllGlobals());

/**
 * A run that ends (page reload, app killed, process gone) right after a call: Storage keeps what was
 * written until `end()`; the run's later writes never land.
 */
function endingRun<T extends { setMany?: unknown; multiSet?: unknown }>(inner: T): { storage: T; end: () => void } {
  let ended = false;
  const storage = { ...inner };
  for (const write of ['setMany', 'removeMany', 'multiSet', 'multiRemove'] as const) {
    const original = (inner as Record<string, unknown>)[write] as ((...args: unknown[]) => Promise<void>) | undefined;
    if (original) (storage as Record<string, unknown>)[write] = (...args: unknown[]) => (ended ? Promise.resolve() : original.apply(inner, args));
  }
  return { storage, end: () => void (ended = true) };
}

/** Each platform's client over a given store: the run that opts out, then the run after the reload. */
const platforms: [string, () => (ending?: boolean) => { client: Client; end: () => void }][] = [
  [
    'Node (a storage passed in)',
    () => {
      const shared = createMemoryStorage();
      return (ending) => {
        const { storage, end } = endingRun<Storage>(shared);
        return { client: clients.create({}, { storage: ending ? storage : shared }), end };
      };
    },
  ],
  [
    'React Native (AsyncStorage)',
    () => {
      const shared = memoryAsyncStorage();
      return (ending) => {
        const { storage, end } = endingRun(shared);
        return { client: clients.keep(createAppClient({ ...config, flushAt: 1000 }, { asyncStorage: ending ? storage : shared })), end };
      };
    },
  ],
  [
    'browser (IndexedDB, no localStorage to share it through)',
    () => {
      const shared = withEntries(createIdbStorage());
      return (ending) => {
        const { storage, end } = endingRun<Storage>(shared);
        return { client: clients.keep(createBrowserClient({ ...config, autoPage: false }, { storage: ending ? storage : shared })), end };
      };
    },
  ],
];

describe.each(platforms)('optOut() / optIn() are stored at once: %s', (_name, make) => {
  it('a reload right after optOut() is still opted out; right after optIn(), tracking again', async () => {
    const run = make();
    const first = run(true);
    first.client.optOut(); // before the state is even loaded
    first.end();

    const second = run();
    const notices = record(second.client);
    second.client.track('after_reload');
    await second.client.flush();
    expect(ingest.received).toHaveLength(0);
    // (React Native's app_open is dropped alongside.)
    expect(new Set(notices.drop.map((d) => d.reason))).toEqual(new Set(['consent']));
    expect(notices.drop.flatMap((d) => d.events.map((e) => e.event))).toContain('after_reload');

    const third = run(true);
    await third.client.getDeviceId(); // loaded: opted out
    third.client.optIn();
    third.end();

    const fourth = run();
    fourth.client.track('back');
    await fourth.client.flush();
    const sent = ingest.events().map((e) => e.event);
    expect(sent).toContain('back');
    expect(sent).not.toContain('after_reload');
  });
});

describe('optOut() while the browser state loads', () => {
  it('a browser (IndexedDB, localStorage shared) with optOut() right after init(), the state still loading: the calls made before it are judged as allowed (identify keeps its user id), those after as opted out', async () => {
    const saved = new Map<string, string>();
    vi.stubGlobal('localStorage', { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v), removeItem: (k: string) => void saved.delete(k), key: () => null, length: 0 });
    const client = clients.keep(createBrowserClient({ ...config, autoPage: false }));
    const drops: [string, string, (string | undefined)[]][] = [];
    client.on('drop', (d) => drops.push([d.reason, d.message, d.events.map((e) => e.event ?? e.type)]));
    client.identify('user-before');
    client.optOut(); // written to localStorage at once, before the load reads it
    client.track('while_opted_out');
    await client.flush();
    client.optIn();
    client.track('after_opt_in');
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().map((e) => [e.event ?? e.type, e.user_id])).toEqual([['after_opt_in', 'user-before']]);
    });
    // Queued while allowed, then dropped by optOut() as it drops the queue; not refused at the call.
    expect(drops).toEqual([
      ['consent', 'opted out', ['identify']],
      ['consent', 'opted out', ['while_opted_out']],
    ]);
  });

});
