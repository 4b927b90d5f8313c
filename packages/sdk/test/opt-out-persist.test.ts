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
