import { validateEvent, type ClientEvent } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../src/node';
import { ingestSuite, record } from './support';

const { ingest, clients } = ingestSuite();
const ids = (e: ClientEvent) => [e.type, e.event, e.user_id, e.anonymous_id];

describe('anonymize() and per-call identities (Node)', () => {
  it('no user id anywhere while anonymized: a per-call userId alone is not sent as the anonymous id either', async () => {
    const analytics = clients.create();
    analytics.identify('owner');
    analytics.anonymize();
    analytics.track('own_event');
    analytics.track('alone', undefined, { userId: 'alice' });
    analytics.track('both', undefined, { userId: 'bob', anonymousId: 'anon-bob' });
    analytics.track('anonymous', undefined, { anonymousId: 'anon-carol' });
    analytics.identify('dave', { plan: 'pro' }, { userId: 'dave' }); // carries a user id: dropped, as the client's own would be
    analytics.anonymize(false);
    analytics.track('after');
    await analytics.flush();
    const ephemeral = ingest.events()[1]?.anonymous_id;
    const deviceId = await analytics.getDeviceId();
    expect(ephemeral).not.toBe(deviceId);
    expect(ingest.events().map(ids)).toEqual([
      ['identify', undefined, 'owner', deviceId],
      ['track', 'own_event', undefined, ephemeral],
      ['track', 'alone', undefined, ephemeral],
      ['track', 'both', undefined, 'anon-bob'],
      ['track', 'anonymous', undefined, 'anon-carol'],
      ['track', 'after', 'owner', deviceId], // anonymize(false): the client's own user id again
    ]);
    for (const e of ingest.events()) expect(validateEvent(e).ok).toBe(true);
    expect(JSON.stringify(ingest.events().slice(1, -1))).not.toMatch(/alice|"bob"|dave|owner/);
  });
});

describe('null ids: "no user"', () => {
  it('identify(null) forgets the user id (persisted), sends nothing, and a later identify sets it again', async () => {
    const storage = createMemoryStorage();
    const client = clients.create({}, { storage });
    const notices = record(client);
    client.identify('user-1', { plan: 'pro' });
    client.track('as_user');
    client.identify(null);
    client.track('no_user');
    await client.flush();
    const reloaded = clients.create({}, { storage });
    reloaded.track('after_reload');
    reloaded.identify('user-2');
    reloaded.track('as_user_2');
    await reloaded.flush();
    expect(ingest.events().map((e) => [e.type, e.event, e.user_id])).toEqual([
      ['identify', undefined, 'user-1'],
      ['track', 'as_user', 'user-1'],
      ['track', 'no_user', undefined],
      ['track', 'after_reload', undefined],
      ['identify', undefined, 'user-2'],
      ['track', 'as_user_2', 'user-2'],
    ]);
    expect(notices.drop).toEqual([]);
  });

  it('a per-call userId of null is no user; with no anonymousId either, a drop (invalid)', async () => {
    const analytics = clients.create();
    const notices = record(analytics);
    analytics.track('guest', undefined, { userId: null, anonymousId: 'anon-1' });
    analytics.track('nobody', undefined, { userId: null } as unknown as { anonymousId: string });
    await analytics.flush();
    expect(ingest.events().map(ids)).toEqual([['track', 'guest', null, 'anon-1']]);
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid']);
  });
});
