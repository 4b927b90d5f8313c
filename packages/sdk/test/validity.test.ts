import { AfProperties, findUnstorableText, LIMITS, tooDeepIssue, upcast, validateEvent, type ClientEvent } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { readCampaign } from '../src/core/attribution';
import { AF_RULES, EVENT_MAX_DEPTH } from '../src/core/draft';
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
  // As the ingest does: an event of an older envelope (a draft an older SDK stored) is upcast first.
  const current = upcast(event);
  if (!current.ok) return current.issues;
  const result = validateEvent(current.value);
  if (!result.ok) return result.issues;
  const unstorable = findUnstorableText(event) ?? tooDeepIssue(event, LIMITS.eventMaxDepth);
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
    expect(events.map((e) => [e.event, e.context.campaign, e.context.first_touch])).toEqual([
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
    expect(event?.context.first_touch).toBeUndefined();
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
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([['invalid', 'user_id: 1-256 chars, no U+0000/lone surrogate']]);
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
    ['U+0000 in another key\'s string', { analytics: true, tcString: 'CO\u0000x' }],
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

  it('takes other keys with plain values, as the schema does (a consent manager\'s string)', async () => {
    const client = clients.create({ consent: 'pending' });
    const notices = record(client);
    client.track('held');
    client.setConsent({ analytics: true, tcString: 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA', version: 2, region: null });
    await client.flush();
    expect(notices.drop).toEqual([]);
    const events = ingest.events();
    expect(events.map((e) => e.context.consent)).toEqual([{ analytics: true, tcString: 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA', version: 2, region: null }]);
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

/** Nesting of objects and arrays, the value itself being level 1 (as the ingest's body check counts). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** Properties `levels` deep (the properties object is level 1), alternating objects and arrays. */
function nested(levels: number): Record<string, unknown> {
  let value: unknown = 'leaf';
  for (let level = levels; level > 1; level--) value = level % 2 ? { a: value } : [value];
  return { a: value };
}

describe('properties and traits the schema always refuses are refused at the call (drop, invalid)', () => {
  const base = { event_id: '019ac0de-0000-7000-8000-000000000000', type: 'track', event: 'af_purchase', anonymous_id: 'd', seq: 0, client_ts: '2026-11-26T10:00:00.000Z', context: { library: { name: 'x', version: '1' } } };

  it.each([
    ['af_revenue NaN', { af_revenue: NaN }],
    ['af_revenue a string', { af_revenue: '19.99' }],
    ['af_price Infinity', { af_price: Infinity }],
    ['af_currency lower case', { af_currency: 'eur' }],
    ['af_currency 4 letters', { af_currency: 'EURO' }],
    ['af_quantity not an integer', { af_quantity: 1.5 }],
    ['af_quantity negative', { af_quantity: -1 }],
    ['af_content_id over 256 chars', { af_content_id: 'x'.repeat(257) }],
    ['af_search_string a number', { af_search_string: 42 }],
  ])('%s', async (_, properties) => {
    // The rule is the schema's: the ingest refuses the event as the SDK would have sent it.
    expect(validateEvent({ ...base, properties: JSON.parse(JSON.stringify(properties)) as unknown }).ok).toBe(false);
    const client = clients.create();
    const notices = record(client);
    client.track('af_purchase', properties as never);
    client.page('Home', properties as never);
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message.split(':')[0]])).toEqual([
      ['invalid', `properties.${Object.keys(properties)[0]}`],
      ['invalid', `properties.${Object.keys(properties)[0]}`],
    ]);
    expect(ingest.received).toHaveLength(0);
  });

  it('the typed AppsFlyer keys with values the schema takes are sent; traits are not typed', async () => {
    const properties = { af_revenue: 0, af_price: -1.5, af_currency: 'EUR', af_quantity: 0, af_content_id: 'x'.repeat(256), af_search_string: 's'.repeat(1024), af_order_id: 'o-1', other: 'NaN' };
    const client = clients.create();
    client.track('af_purchase', properties);
    client.identify('user-1', { af_revenue: 'not typed in traits' });
    await client.flush();
    const events = ingest.events();
    expect(events.map((e) => e.type)).toEqual(['track', 'identify']);
    expect(events[0]?.properties).toEqual(properties);
    for (const event of events) expect(refusal(event)).toEqual([]);
  });

  it.each([
    ['a Date', new Date(0)],
    ['an object whose toJSON returns an array', { toJSON: () => [1, 2] }],
    ['an object whose toJSON returns null', { toJSON: () => null }],
    ['an array', [1, 2]],
  ])('properties or traits whose JSON copy is %s', async (_, value) => {
    const client = clients.create();
    const notices = record(client);
    client.track('x', value as never);
    client.identify('user-1', value as never); // refused by the types too: checked at run time for JavaScript callers
    client.group('acme', value as never);
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([
      ['invalid', 'properties: not an object'],
      ['invalid', 'traits: not an object'],
      ['invalid', 'traits: not an object'],
    ]);
    expect(ingest.received).toHaveLength(0);
  });

  it.each([
    ['a Map', new Map([['sku', 1]])],
    ['a Set', new Set(['sku'])],
    ['a Promise (a forgotten await)', Promise.resolve({ sku: 'a' })],
    ['another iterable (a generator)', (function* () { yield 1; })()],
  ])('%s in properties or traits (a generic wrapper, a JS caller) is refused with its path, not sent as {}', async (_, value) => {
    // The types refuse these; a generic wrapper's `T extends object` and JavaScript pass them at run time.
    const track = <T extends object>(client: ReturnType<typeof clients.create>, properties: T) => client.track('cart_viewed', properties);
    const client = clients.create();
    const notices = record(client);
    track(client, { cart: { items: [{ sku: 'a' }, value] }, total: 2 });
    client.identify('user-1', { plan: value } as never);
    client.page('Cart', value as never);
    client.track('kept', { cart: { items: [{ sku: 'a' }] } });
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([
      ['invalid', 'properties.cart.items.1: TypeError: not JSON'],
      ['invalid', 'traits.plan: TypeError: not JSON'],
      ['invalid', 'properties: TypeError: not JSON'],
    ]);
    expect(ingest.events().map((e) => e.event)).toEqual(['kept']);
  });

  it('a BigInt is refused with its path too', async () => {
    const client = clients.create();
    const notices = record(client);
    client.track('x', { order: { lines: [{ cents: 1n }] } } as never);
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([['invalid', 'properties.order.lines.0.cents: TypeError: BigInt']]);
  });

  it('a toJSON that calls track() during the copy leaves the path of the outer value whole', async () => {
    const client = clients.create();
    const notices = record(client);
    client.track('outer', { a: { toJSON: () => (client.track('inner', { ok: 1 }), 1) }, b: { c: 10n } } as never);
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([['invalid', 'properties.b.c: TypeError: BigInt']]);
    expect(ingest.events().map((e) => [e.event, e.properties])).toEqual([['inner', { ok: 1 }]]);
  });

  it('nesting: an event 32 levels deep is sent, 33 is refused, as the ingest does per event (LIMITS.eventMaxDepth)', async () => {
    expect(EVENT_MAX_DEPTH).toBe(LIMITS.eventMaxDepth);
    const client = clients.create();
    const notices = record(client);
    client.track('deepest', nested(31)); // the event is level 1, properties level 2: 32 in all
    client.track('too_deep', nested(32));
    client.identify('user-1', nested(32));
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([
      // The path down to the level past the limit (nested() alternates `{ a: … }` and `[…]`).
      ['invalid', `properties${'.a.0'.repeat(15)}.a: Error: deeper than 32 levels`],
      ['invalid', `traits${'.a.0'.repeat(15)}.a: Error: deeper than 32 levels`],
    ]);
    const [body] = ingest.received.map((r) => r.body);
    expect(body?.events.map((e) => e.event)).toEqual(['deepest']);
    expect(depthOf(body?.events[0])).toBe(32);
    expect(refusal(body?.events[0])).toEqual([]);
    // One level more is what the ingest refuses.
    expect(tooDeepIssue({ ...body?.events[0], properties: nested(32) }, LIMITS.eventMaxDepth)).toMatchObject({ code: 'too_deep' });
  });

  it('nesting through toJSON counts as well', async () => {
    const client = clients.create();
    const notices = record(client);
    client.track('x', { at: { toJSON: () => nested(31) } });
    await client.flush();
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid']);
  });
});

describe('a draft an older version stashed at hide (it skipped the call check)', () => {
  it('an identify with U+0000 in its user id is sent as it is (the ingest refuses it alone) but not remembered', async () => {
    const stash = new Map([['eventline.pending', JSON.stringify([
      { schema_version: 1, event_id: '019ac0de-0000-7000-8000-000000000001', type: 'identify', user_id: 'user\u00001', client_ts: '2026-11-26T10:00:00.000Z', context: { library: { name: 'eventline-sdk', version: '0.0.9' } } },
    ])]]);
    const syncStore = { get: (k: string) => stash.get(k) ?? null, set: (k: string, v: string) => void stash.set(k, v) };
    const client = clients.create({}, { syncStore });
    client.track('after');
    await client.flush();
    const events = ingest.events();
    expect(events.map((e) => [e.type, e.user_id])).toEqual([['identify', 'user\u00001'], ['track', undefined]]);
    expect(refusal(events[1])).toEqual([]);
  });
});

describe('the typed AppsFlyer keys the SDK checks at the call', () => {
  it('are the schema\'s, with the schema\'s rules (AF_RULES is a hand copy for the IIFE, which imports no schema)', () => {
    const rules: [string, unknown][] = Object.entries(AfProperties.properties);
    const expected: Record<string, number | string> = Object.fromEntries(
      rules.map(([key, schema]): [string, number | string] => {
        const s = schema as { type: string; pattern?: string; maxLength?: number; minimum?: number; maximum?: number };
        if (s.type === 'number') return [key, 0];
        if (s.type === 'integer' && s.minimum === 0 && s.maximum === Number.MAX_SAFE_INTEGER) return [key, 1];
        if (s.type === 'string' && s.pattern === '^[A-Z]{3}$') return [key, 3];
        if (s.type === 'string' && s.maxLength !== undefined && s.pattern === undefined) return [key, s.maxLength];
        return [key, `a rule the SDK does not know: ${JSON.stringify(s)}`];
      }),
    );
    expect(AF_RULES).toEqual(expected);
  });

  it('refuses an af_quantity past 2^53 - 1, as the schema does', async () => {
    const client = clients.create();
    const notices = record(client);
    client.track('af_purchase', { af_quantity: 2 ** 60 });
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([['invalid', 'properties.af_quantity: not as typed']]);
  });
});
