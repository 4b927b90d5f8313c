import { validateEvent, type ClientEvent } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import type { NodeClient } from '../src/node';
import { ingestSuite, record } from './support';

const { ingest, clients } = ingestSuite();

/** The client the tests' factory makes is the Node entry's. */
const server = (): NodeClient => clients.create();

const ids = (e: ClientEvent) => ({ type: e.type, event: e.event, user_id: e.user_id, anonymous_id: e.anonymous_id, session_id: e.session_id });

describe('Node: identity per call (one client, many users)', () => {
  it('two users interleaved: each event carries its own ids; the client neither remembers nor lends its own', async () => {
    const analytics = server();
    // request 1 (alice) and request 2 (bob) interleave on one server
    analytics.identify('alice', { plan: 'pro' }, { anonymousId: 'anon-alice' });
    analytics.identify('bob', undefined, { anonymousId: 'anon-bob' });
    analytics.track('af_purchase', { af_revenue: 10 }, { userId: 'alice' }); // alice's, handled after bob's identify
    analytics.page('Pricing', undefined, { anonymousId: 'anon-bob' });
    analytics.group('acme', { seats: 3 }, { userId: 'bob', anonymousId: 'anon-bob' });
    analytics.track('server_tick'); // no identity: the client's own, as before
    await analytics.flush();

    const deviceId = await analytics.getDeviceId();
    const events = ingest.events();
    expect(events.map(ids)).toEqual([
      { type: 'identify', event: undefined, user_id: 'alice', anonymous_id: 'anon-alice', session_id: undefined },
      { type: 'identify', event: undefined, user_id: 'bob', anonymous_id: 'anon-bob', session_id: undefined },
      { type: 'track', event: 'af_purchase', user_id: 'alice', anonymous_id: 'alice', session_id: undefined },
      { type: 'page', event: 'Pricing', user_id: null, anonymous_id: 'anon-bob', session_id: undefined },
      { type: 'group', event: undefined, user_id: 'bob', anonymous_id: 'anon-bob', session_id: undefined },
      { type: 'track', event: 'server_tick', user_id: undefined, anonymous_id: deviceId, session_id: expect.any(String) as string },
    ]);
    for (const event of events) expect(validateEvent(event).ok).toBe(true);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length); // the client's seq counter, unique
  });

  it('alias per call: previousId defaults to the identity (userId, else anonymousId)', async () => {
    const analytics = server();
    analytics.alias('user-7', undefined, { anonymousId: 'anon-7' });
    analytics.alias('user-8', 'given-previous', { anonymousId: 'anon-8' });
    await analytics.flush();
    expect(ingest.events().map((e) => [e.user_id, e.previous_id, e.anonymous_id])).toEqual([
      ['user-7', 'anon-7', 'anon-7'],
      ['user-8', 'given-previous', 'anon-8'],
    ]);
  });

  it('an identity without a usable id is a drop (reason invalid), not an event of the client', async () => {
    const analytics = server();
    const notices = record(analytics);
    analytics.track('a', undefined, {} as { userId: string });
    analytics.track('b', undefined, { userId: '' });
    analytics.track('c', undefined, { anonymousId: 'x'.repeat(257) });
    await analytics.flush();
    expect(ingest.received).toHaveLength(0);
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid', 'invalid', 'invalid']);
  });

  it('without per-call ids the client keeps one identity, as before', async () => {
    const analytics = server();
    analytics.identify('alice');
    analytics.identify('bob');
    analytics.track('af_purchase');
    await analytics.flush();
    const deviceId = await analytics.getDeviceId();
    expect(ingest.events().map((e) => [e.type, e.user_id, e.anonymous_id])).toEqual([
      ['identify', 'alice', deviceId],
      ['identify', 'bob', deviceId],
      ['track', 'bob', deviceId],
    ]);
  });
});
