import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { QUEUE_PREFIX } from '../src/core/queue';
import { createMemoryStorage } from '../src/node';
import { ingestSuite, record } from './support';

const { ingest, clients } = ingestSuite();

describe('flush pacing with nothing queued', () => {
  it('a stored entry that keeps failing to read, after a failed send and an emptied queue: one re-read per interval, not a loop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      // A row every read of which fails (Android's "Row too big to fit into CursorWindow", a busy disk).
      const inner = createMemoryStorage();
      const stuck = `${QUEUE_PREFIX}stuck`;
      await inner.setMany([[stuck, { e: { event_id: 'stuck' }, t: 0, n: 0, b: 0 }]]);
      let reads = 0;
      const storage = {
        ...inner,
        get: <T>(key: string) => (key === stuck ? (reads++, Promise.reject(new Error('busy'))) : inner.get<T>(key)),
      };
      ingest.reply(() => HttpResponse.json({ error: { code: 'unavailable', message: 'later' } }, { status: 503 }));
      const client = clients.create({ retryBaseMs: 1000, retryMaxMs: 1000, flushIntervalMs: 5000 }, { storage });
      const notices = record(client);
      client.track('a');
      await client.flush(); // 503: the backoff starts (1 s at most)
      client.optOut(); // the queue is emptied; the stuck row stays unread
      await vi.advanceTimersByTimeAsync(30_000);
      // Before: once the backoff was over, every pass re-read the row at once (a hot loop of reads and notices).
      expect(reads).toBeGreaterThan(0); // the row is looked for
      expect(reads).toBeLessThanOrEqual(10);
      expect(notices.error.filter((n) => n.message === 'queue read failed').length).toBeLessThanOrEqual(10);
    } finally {
      vi.useRealTimers();
    }
  });
});
