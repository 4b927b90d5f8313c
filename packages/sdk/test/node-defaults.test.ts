import { describe, expect, it, vi } from 'vitest';
import { DEFAULTS } from '../src/core/config';
import { ingestSuite, record } from './support';

const { clients } = ingestSuite();

describe('Node defaults: a server queue holds more than a phone one', () => {
  it('holds 10,000 events (the browser default is 1000); the 10,001st drops the oldest, reported', async () => {
    const client = clients.create({ flushAt: 100_000, maxQueue: undefined });
    const notices = record(client);
    await client.getDeviceId(); // loaded: calls are queued at once, not held
    for (let i = 0; i < 10_000; i++) client.track('tick', { i });
    client.track('one_more');
    expect(DEFAULTS.maxQueue).toBeLessThan(10_000);
    // Past each block of seq numbers calls wait for the next one: queued once it is reserved.
    // One drop, of event 0 alone: the first 10,000 were all held (a 1000 bound drops from the 1001st).
    await vi.waitFor(() => expect(notices.drop.map((d) => [d.reason, d.events.map((e) => e.properties?.i)])).toEqual([['queue_full', [0]]]));
    expect(notices.drop).toHaveLength(1);
  });

  it('an explicit maxQueue still wins', async () => {
    const client = clients.create({ flushAt: 100, maxQueue: 2 });
    const notices = record(client);
    await client.getDeviceId();
    for (let i = 0; i < 3; i++) client.track('tick', { i });
    expect(notices.drop.map((d) => d.reason)).toEqual(['queue_full']);
  });
});
