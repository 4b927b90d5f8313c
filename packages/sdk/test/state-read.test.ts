import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { STATE_KEY } from '../src/core/identity';
import { createMemoryStorage } from '../src/node';
import { ingestSuite, optOutRoundTrip, record, storedAcrossRuns, syncStore } from './support';

const { ingest, clients } = ingestSuite();

const STORED = { deviceId: 'device-from-last-run', userId: 'user-1', optOut: false, anonymized: false };

/** Memory storage holding `state`, whose reads of the state entry throw `failures` times (Infinity: always). */
function flakyStorage(state: object, failures: number) {
  const storage = storedAcrossRuns();
  void storage.setMany([[STATE_KEY, state]]);
  let failed = 0;
  const get = storage.get.bind(storage);
  storage.get = <T>(key: string) => {
    if (key === STATE_KEY && failed < failures) {
      failed++;
      return Promise.reject(new Error('transient read error'));
    }
    return get<T>(key);
  };
  return {
    storage,
    stored: () => get(STATE_KEY),
    reads: () => failed,
    /** From now on, fail every read of the state entry. */
    breakReads: () => (failures = Infinity),
  };
}

describe('a state read that throws at start', () => {
  it('is tried again: the stored device id and user id are used, nothing is written over them', async () => {
    const { storage, stored } = flakyStorage(STORED, 2);
    const client = clients.create({ retryBaseMs: 1 }, { storage });
    const notices = record(client);
    client.track('purchase');
    await client.flush();
    expect(ingest.events().map((e) => [e.event, e.anonymous_id, e.user_id])).toEqual([['purchase', 'device-from-last-run', 'user-1']]);
    expect(await stored()).toMatchObject(STORED);
    expect(notices.error.map((e) => e.message)).toEqual(['state load failed', 'state load failed']);
  });

  it('is tried again: a stored opt-out holds (React Native has no other copy of it)', async () => {
    const { storage, stored } = flakyStorage({ ...STORED, optOut: true }, 1);
    const client = clients.create({ retryBaseMs: 1 }, { storage });
    const notices = record(client);
    client.track('purchase');
    await client.flush();
    expect(ingest.received).toHaveLength(0);
    expect(notices.drop.map((d) => d.reason)).toEqual(['consent']);
    expect(await stored()).toEqual({ ...STORED, optOut: true });
  });

  it('that never succeeds (no shared opt-out record): nothing is tracked, the stored state is left for the next start', async () => {
    const { storage, stored, reads } = flakyStorage(STORED, Infinity);
    const client = clients.create({ retryBaseMs: 1 }, { storage });
    const notices = record(client);
    client.track('purchase');
    client.identify('user-2');
    await client.flush();
    expect(reads()).toBe(4); // the first read and three retries
    expect(ingest.received).toHaveLength(0);
    expect(notices.drop.map((d) => [d.reason, d.events.map((e) => e.event ?? e.type)])).toEqual([
      ['consent', ['purchase']],
      ['consent', ['identify']],
    ]);
    expect(notices.error.filter((e) => e.message === 'state load failed')).toHaveLength(4);
    expect(await stored()).toEqual(STORED);
  });

  it('that never succeeds (no shared opt-out record): events the last run queued are still sent, they were tracked while allowed', async () => {
    const { storage, breakReads } = flakyStorage(STORED, 0);
    const lastRun = clients.create({}, { storage });
    ingest.reply(() => new HttpResponse(null, { status: 503 }));
    lastRun.track('queued_last_run');
    await lastRun.close(); // the ingest was down: the event stays in Storage
    ingest.reset();
    breakReads();
    const client = clients.create({ retryBaseMs: 1 }, { storage });
    const notices = record(client);
    client.track('this_run');
    await client.flush();
    expect(ingest.events().map((e) => [e.event, e.anonymous_id])).toEqual([['queued_last_run', STORED.deviceId]]);
    expect(notices.drop.map((d) => [d.reason, d.events.map((e) => e.event)])).toEqual([['consent', ['this_run']]]);
    client.optIn(); // the app asks again and the user agrees: tracked from now on
    client.track('after_opt_in');
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['queued_last_run', 'after_opt_in']);
  });

  it('that never succeeds, with a shared opt-out store that says nothing: events go out under a device id of this run only', async () => {
    const { storage, stored } = flakyStorage(STORED, Infinity);
    const client = clients.create({ retryBaseMs: 1 }, { storage, syncStore: syncStore() });
    client.track('purchase');
    client.reset(); // state changes of this run stay in memory too
    await client.flush();
    const [event] = ingest.events();
    expect(event?.event).toBe('purchase');
    expect(event?.anonymous_id).not.toBe(STORED.deviceId);
    expect(event?.user_id).toBeUndefined();
    expect(await stored()).toEqual(STORED);
  });

  it('that never succeeds, with a shared opt-out record: the opt-out holds', async () => {
    const { storage } = flakyStorage(STORED, Infinity);
    const client = clients.create({ retryBaseMs: 1 }, { storage, syncStore: syncStore({ 'eventline.optout': 'true' }) });
    client.track('purchase');
    await client.flush();
    expect(ingest.received).toHaveLength(0);
  });

  it('that never succeeds: an optOut() made in this run is stored all the same (React Native has no other copy)', async () => {
    const { storage, stored } = flakyStorage(STORED, Infinity);
    const client = clients.create({ retryBaseMs: 1 }, { storage });
    client.optOut();
    await client.flush();
    expect(await stored()).toMatchObject({ optOut: true });
  });

  it('tried again after an optOut(): the calls made before it are still judged as allowed (the retry does not read the record it wrote)', async () => {
    const { storage } = flakyStorage(STORED, 1);
    const client = clients.create({ retryBaseMs: 20 }, { storage });
    const notices = record(client);
    await optOutRoundTrip(client);
    expect(notices.drop.map((d) => [d.message, d.events.map((e) => e.event ?? e.type)])).toEqual([
      ['opted out', ['identify']], // queued while allowed, dropped with the queue by optOut()
      ['opted out', ['while_opted_out']],
    ]);
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([['after_opt_in', 'user-before']]);
  });

  it('with an unparsable value (not a failing read): counts as nothing stored, a new state is written', async () => {
    const storage = createMemoryStorage();
    const get = storage.get.bind(storage);
    storage.get = <T>(key: string) => (key === STATE_KEY ? Promise.reject(new SyntaxError('Unexpected token')) : get<T>(key));
    const client = clients.create({ retryBaseMs: 60_000 }, { storage });
    client.track('purchase');
    await client.flush();
    const deviceId = ingest.events()[0]?.anonymous_id;
    expect(deviceId).toEqual(expect.any(String));
    expect(await get(STATE_KEY)).toMatchObject({ deviceId, optOut: false });
  });
});
