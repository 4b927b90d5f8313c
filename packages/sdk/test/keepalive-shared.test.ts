import { afterEach, describe, expect, it, vi } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import type { LifecycleEvent } from '../src/core/types';
import { createMemoryStorage } from '../src/node';
import { sharedKeepaliveQuota } from './keepalive-quota';
import { clientFactory, record } from './support';

const clients = clientFactory();
afterEach(() => clients.closeAll());

/** Random hex: JSON that gzip shrinks to about half, not to nothing. */
const noise = (bytes: number) => Array.from({ length: bytes }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join('');

describe("the page's keepalive quota, shared with other scripts", () => {
  it("a send refused because another script's keepalive request holds most of the 64 KiB goes again at once without keepalive: no error, no backoff", async () => {
    const quota = sharedKeepaliveQuota(50_000); // another script's keepalive POST to a slow endpoint
    const client = clients.create({ flushAt: 25 }, { transport: quota.transport, beacon: () => true }); // a browser page
    const notices = record(client);
    for (let i = 0; i < 25; i++) client.track('e', { i, noise: noise(750) }); // one batch, ~20 KB gzip
    await vi.waitFor(() => expect(notices.sent).toHaveLength(1));
    expect(quota.sent.map((s) => [s.events.length, s.keepalive])).toEqual([[25, false]]);
    expect(notices.error).toEqual([]);
    // The next batch tries keepalive again (the other request may have ended): it fits now.
    quota.endOthers();
    client.track('after');
    await client.flush();
    expect(quota.sent.map((s) => s.keepalive)).toEqual([false, true]);
  });

  it('off a browser page (Node, React Native: no keepalive quota to share) a send that fails with a TypeError is not sent again at once: one request per network error', async () => {
    let sends = 0;
    const transport = { send: () => (sends++, Promise.reject(new TypeError('fetch failed'))) };
    const client = clients.create({ flushAt: 1000, retryBaseMs: 60_000 }, { transport });
    const notices = record(client);
    client.track('e');
    await client.flush();
    expect([sends, notices.error.length]).toEqual([1, 1]); // reported, retried after the backoff
  });

  it('a keepalive send refused after the page was hidden again is not sent a second time (it may be the unload rejecting a request that goes on)', async () => {
    const quota = sharedKeepaliveQuota(60_000, () => false);
    let fire: (event: LifecycleEvent) => void = () => undefined;
    const storage = createMemoryStorage();
    const client = clients.create({ flushAt: 10_000, requestTimeoutMs: 1000 }, { storage, transport: quota.transport, lifecycle: (l) => ((fire = l), () => undefined) });
    await client.getDeviceId();
    for (let i = 0; i < 10; i++) client.track('e', { i, noise: noise(750) }); // ~15 KB plain: over the 5.5 KB left
    fire('hidden'); // visibilitychange: keepalive, refused
    fire('hidden'); // pagehide, before the refusal is seen
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(quota.sent).toEqual([]);
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toHaveLength(10)); // kept for the next page
  });
});
