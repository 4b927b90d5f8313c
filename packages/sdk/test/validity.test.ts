import { findUnstorableText, validateEvent, type ClientEvent } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { readCampaign } from '../src/core/attribution';
import { STATE_KEY } from '../src/core/identity';
import { createMemoryStorage, type NodeClient } from '../src/node';
import { ingestSuite, record } from './support';

/**
 * Values the schema always refuses must be refused at the call, and never remembered: a remembered
 * one (user id, first touch, consent) got EVERY later event of the device refused by the ingest.
 */
const { ingest, clients } = ingestSuite();

/** What the ingest says of an event: its schema issues, or the unstorable text it finds; [] when it takes it. */
function refusal(event: ClientEvent | undefined): unknown[] {
  const result = validateEvent(event);
  if (!result.ok) return result.issues;
  const unstorable = findUnstorableText(event);
  return unstorable ? [unstorable] : [];
}

const NUL = 'news\u0000letter';
const LONE = 'user-\ud800';

describe('campaign text the ingest refuses (U+0000, lone surrogate) is not kept as first or last touch', () => {
  it('readCampaign leaves out the field whose value decodes to U+0000, and keeps the others', () => {
    expect(readCampaign('https://s.test/?utm_source=news%00letter&utm_medium=email&gclid=G%00', undefined)).toEqual({ medium: 'email' });
    // Only bad fields: nothing from the URL, so the referrer counts as for a visit without utm_*.
    expect(readCampaign('https://s.test/?utm_source=%00', 'https://mail.test/')).toEqual({ source: 'mail.test', medium: 'referral' });
  });

  it('a landing URL with utm_source=news%00letter: this visit and every later one are accepted', async () => {
    const storage = createMemoryStorage();
    const first = clients.create({}, { storage, landing: () => ({ url: 'https://s.test/?utm_source=news%00letter&utm_medium=email' }) });
    first.track('visit_1');
    await first.close();
    const second = clients.create({}, { storage, landing: () => ({ url: 'https://s.test/' }) });
    second.track('visit_2');
    await second.flush();
    const events = ingest.events();
    expect(events.map((e) => [e.event, e.context.campaign, (e.context as { first_touch?: unknown }).first_touch])).toEqual([
      ['visit_1', { medium: 'email' }, { medium: 'email' }],
      ['visit_2', { medium: 'email' }, { medium: 'email' }],
    ]);
    for (const event of events) expect(refusal(event)).toEqual([]);
  });

  it('a first and last touch an older version stored with such text are discarded when the state is loaded', async () => {
    const storage = createMemoryStorage();
    await storage.setMany([[STATE_KEY, { deviceId: 'device-1', optOut: false, anonymized: false, firstTouch: { source: NUL }, lastTouch: { source: 'ok', term: LONE } }]]);
    const client = clients.create({}, { storage });
    client.track('after_upgrade');
    await client.flush();
    const [event] = ingest.events();
    expect(event?.anonymous_id).toBe('device-1');
    expect(event?.context.campaign).toBeUndefined();
    expect((event?.context as { first_touch?: unknown }).first_touch).toBeUndefined();
    expect(refusal(event)).toEqual([]);
  });
});

describe('ids the ingest refuses are refused at the call and not remembered', () => {
  it.each([
    ['U+0000', 'user\u00001'],
    ['a lone surrogate', LONE],
  ])('identify() with %s in the user id: a drop (invalid), and later events carry no user id', async (_, userId) => {
    const client = clients.create();
    const notices = record(client);
    client.identify(userId);
    client.track('after');
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([['invalid', 'user_id: 1-256 chars, no U+0000 or lone surrogate']]);
    const events = ingest.events();
    expect(events.map((e) => [e.event, e.user_id])).toEqual([['after', undefined]]);
    expect(refusal(events[0])).toEqual([]);
  });

  it('alias and group ids, and event names, with such text: drops (invalid), nothing sent', async () => {
    const client = clients.create();
    const notices = record(client);
    client.alias('user\u0000');
    client.alias('user-2', LONE);
    client.group('\udc00group');
    client.track('bad\u0000name');
    await client.flush();
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    expect(ingest.received).toHaveLength(0);
  });

  it('Node per-call identity with such text: a drop (invalid)', async () => {
    const analytics: NodeClient = clients.create();
    const notices = record(analytics);
    analytics.track('a', undefined, { userId: 'u\u0000' });
    analytics.identify('alice', undefined, { anonymousId: LONE });
    await analytics.flush();
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid', 'invalid']);
    expect(ingest.received).toHaveLength(0);
  });

  it('a user id an older version stored with such text is discarded when the state is loaded', async () => {
    const storage = createMemoryStorage();
    await storage.setMany([[STATE_KEY, { deviceId: 'device-1', userId: 'user\u00001', optOut: false, anonymized: false }]]);
    const client = clients.create({}, { storage });
    client.track('after_upgrade');
    await client.flush();
    const [event] = ingest.events();
    expect([event?.anonymous_id, event?.user_id]).toEqual(['device-1', undefined]);
    expect(refusal(event)).toEqual([]);
  });
});

describe('setConsent() with values context.consent cannot hold', () => {
  it.each([
    ['a string for ads', { analytics: true, ads: 'yes' }],
    ['a number for analytics', { analytics: 1 }],
    ['an object value', { analytics: true, extra: { x: 1 } }],
    ['null', null],
    ['a string', 'yes'],
  ])('%s: a drop (invalid), nothing changes, later events are accepted', async (_, input) => {
    const client = clients.create();
    const notices = record(client);
    client.setConsent({ analytics: true, ads: false });
    client.setConsent(input as never);
    client.track('after');
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.events.length])).toEqual([['invalid', 0]]);
    const events = ingest.events();
    expect(events.map((e) => [e.event, e.context.consent])).toEqual([['after', { analytics: true, ads: false }]]);
    expect(refusal(events[0])).toEqual([]);
  });

  it("refused in consent mode 'pending': it grants nothing", async () => {
    const client = clients.create({ consent: 'pending' });
    const notices = record(client);
    client.track('held');
    client.setConsent({ analytics: 'yes' } as never);
    await client.flush();
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid']);
    expect(ingest.received).toHaveLength(0);
  });
});
