import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientBatch } from '@eventline/schemas';
import type { LifecycleEvent, LockFn, Transport } from '../src/core/types';
import { createStorageLock } from '../src/platform/browser/storage-lock';
import { clientFactory } from './support';

const clients = clientFactory();
afterEach(() => clients.closeAll());

/** A lock that grants at once and records each request and each release. */
function recordingLock() {
  const log: string[] = [];
  const lock: LockFn = (_name, run) => {
    log.push('requested');
    return run().then(() => void log.push('released'));
  };
  return { log, lock };
}

function lifecycle() {
  let fire: (e: LifecycleEvent) => void = () => undefined;
  return { lifecycle: (l: (e: LifecycleEvent) => void) => ((fire = l), () => undefined), fire: (e: LifecycleEvent) => fire(e) };
}

describe('the back/forward cache and the sender lock', () => {
  it('the sender lets go of the lock when its page is cached, and asks again when it is restored; a waiting tab keeps its one request', async () => {
    const { log, lock } = recordingLock();
    const page = lifecycle();
    const client = clients.create({}, { lock, lifecycle: page.lifecycle });
    await client.getDeviceId();
    expect(log).toEqual(['requested']);
    page.fire('hidden');
    page.fire('cached');
    await Promise.resolve();
    expect(log).toEqual(['requested', 'released']);
    page.fire('visible');
    expect(log).toEqual(['requested', 'released', 'requested']);

    // A tab still waiting for the lock keeps its one request: nothing to let go of, nothing to ask again.
    const other: string[] = [];
    const otherPage = lifecycle();
    const waiting: LockFn = () => (other.push('requested'), new Promise<void>(() => undefined));
    await clients.create({}, { lock: waiting, lifecycle: otherPage.lifecycle }).getDeviceId();
    otherPage.fire('hidden');
    otherPage.fire('cached');
    otherPage.fire('visible');
    expect(other).toEqual(['requested']);
  });

  it('the localStorage lease too: cleared when the page is cached (another tab takes it at once), claimed again once restored', async () => {
    const map = new Map<string, string>();
    const store = { get: (k: string) => map.get(k) ?? null, set: (k: string, v: string) => void map.set(k, v) };
    const owner = () => (JSON.parse(map.get('eventline.lock.eventline.sender') || '{}') as { owner?: string }).owner;
    const page = lifecycle();
    const sent: string[] = [];
    const transport: Transport = {
      send: (_url, body) => {
        const events = (JSON.parse(String(body)) as ClientBatch).events;
        sent.push(...events.map((e) => String(e.event)));
        return Promise.resolve({ status: 200, body: { results: events.map((e) => ({ event_id: e.event_id, status: 'accepted' })) } });
      },
    };
    const lock = createStorageLock(store, 'tab-a', () => Date.now(), 20, 200, 5);
    const client = clients.create({ compress: false, flushAt: 1 }, { lock, lifecycle: page.lifecycle, transport });
    client.track('sent_by_the_lease_holder');
    await vi.waitFor(() => expect(sent).toEqual(['sent_by_the_lease_holder'])); // it holds the lease
    page.fire('hidden');
    page.fire('cached');
    await vi.waitFor(() => expect(map.get('eventline.lock.eventline.sender')).toBe(''));
    page.fire('visible');
    await vi.waitFor(() => expect(owner()).toBe('tab-a'));
  });
});
