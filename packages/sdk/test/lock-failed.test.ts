import type { ClientBatch } from '@eventline/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Transport } from '../src/core/types';
import { createEventline as createBrowserClient } from '../src/index';
import { createMemoryStorage } from '../src/node';
import { clientFactory, fakeIngest, ENDPOINT, record, storedAcrossRuns, WRITE_KEY } from './support';

const clients = clientFactory();
const ingest = fakeIngest();
beforeAll(() => ingest.server.listen({ onUnhandledRequest: 'error' }));
afterEach(async () => {
  await clients.closeAll();
  vi.unstubAllGlobals();
  ingest.reset();
});
afterAll(() => ingest.server.close());

/** A tab's own transport (plain JSON bodies): records the names it sends, answers `status` (200: each event accepted). */
function tabTransport(status = 200) {
  const sent: string[] = [];
  const transport: Transport = {
    send(_url, body) {
      const batch = JSON.parse(String(body)) as ClientBatch;
      sent.push(...batch.events.map((e) => String(e.event)));
      const results = batch.events.map((e) => ({ event_id: e.event_id, status: 'accepted' }));
      return Promise.resolve({ status, body: status === 200 ? { results } : undefined });
    },
  };
  return { sent, transport };
}

/** What Chromium does when the site may not store data ("Don't allow sites to save data"). */
const refused = () => Promise.reject(new DOMException('The request was denied.', 'SecurityError'));

describe('no sender lock to share', () => {
  it('a lock the browser refuses: an error notice, and this tab sends its events itself', async () => {
    const tab = tabTransport();
    const client = clients.create({ compress: false }, { lock: refused, transport: tab.transport });
    const notices = record(client);
    client.track('kept_in_memory_only');
    await client.flush();
    expect(tab.sent).toEqual(['kept_in_memory_only']);
    expect(notices.error.map((n) => n.message)).toEqual(['lock failed']);
  });

  it('each tab then sends only what it queued (and what earlier pages left): not another open tab’s events', async () => {
    const shared = createMemoryStorage();
    let clock = Date.now();
    const now = () => clock;
    const [a, b] = [tabTransport(), tabTransport(503)];
    const left = clients.create({ compress: false }, { storage: shared, lock: refused, transport: a.transport, now });
    await left.flush(); // A's first send picks up what earlier pages left (nothing here)
    const right = clients.create({ compress: false, retryBaseMs: 600_000 }, { storage: shared, lock: refused, transport: b.transport, now });
    right.track('from_b');
    await right.flush(); // B sent it, the ingest answered 503: it stays in the shared storage, B retries later
    expect(b.sent).toEqual(['from_b']);

    clock += 120_000; // past flushIntervalMs: a tab that shares the queue would read it again now
    left.track('from_a');
    await left.flush();
    expect(a.sent).toEqual(['from_a']); // B's event is B's to send: sending it here too would send it twice
  });

  it('what an earlier page left in the shared storage is still sent', async () => {
    const shared = storedAcrossRuns();
    const earlier = clients.create({}, { storage: shared, lock: () => new Promise<void>(() => undefined) });
    earlier.track('left_by_an_earlier_page');
    await earlier.close(); // never the sender: the event stays stored
    const tab = tabTransport();
    const client = clients.create({ compress: false }, { storage: shared, lock: refused, transport: tab.transport });
    await client.flush();
    expect(tab.sent).toEqual(['left_by_an_earlier_page']);
  });

  it('browser storage that fell back to memory: no lock is asked for, and the tab sends its events itself', async () => {
    // No IndexedDB and no localStorage here (Node): the events live in this page's memory, where the
    // sender, another tab holding the Web Lock, could never read them.
    vi.stubGlobal('navigator', { locks: { request: () => new Promise(() => undefined) } });
    vi.stubGlobal('document', {}); // a page (without one, the browser entry is the server's no-op client)
    const client = clients.keep(createBrowserClient({ writeKey: WRITE_KEY, endpoint: ENDPOINT, autoPage: false }));
    const notices = record(client);
    client.track('memory_only');
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['memory_only']);
    expect(notices.error.map((n) => [n.message, String(n.error)])).toEqual([['lock failed', 'Error: memory storage']]);
  });
});
