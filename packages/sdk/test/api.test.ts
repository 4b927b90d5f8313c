import { validateEvent } from '@eventline/schemas';
import { describe, expect, it, vi } from 'vitest';
import { readCampaign } from '../src/core/attribution';
import { QUEUE_PREFIX } from '../src/core/queue';
import { createMemoryStorage } from '../src/node';
import type { Storage } from '../src/public-types';
import { ingestSuite, record, syncStore } from './support';

const { ingest, clients } = ingestSuite();

/** A Storage that counts writes, to prove consent mode stores nothing. */
function countingStorage() {
  const inner = createMemoryStorage();
  const writes: string[] = [];
  const storage: Storage = {
    ...inner,
    setMany: (e) => (writes.push(...e.map(([k]) => k)), inner.setMany(e)),
  };
  return { storage, writes };
}

describe('event types', () => {
  it('identify, page, screen, alias and group send valid events; the user id sticks', async () => {
    const client = clients.create();
    client.identify('user-1', { plan: 'pro' });
    client.track('af_login');
    client.page('Pricing', { section: 'top' });
    client.screen('Cart');
    client.alias('user-2');
    client.group('acme', { seats: 10 });
    await client.flush();
    const events = ingest.events();
    expect(events.map((e) => e.type)).toEqual(['identify', 'track', 'page', 'screen', 'alias', 'group']);
    for (const e of events) expect(validateEvent(e).ok ? [] : e).toEqual([]);
    expect(events[0]).toMatchObject({ user_id: 'user-1', traits: { plan: 'pro' } });
    expect(events[1]?.user_id).toBe('user-1');
    expect(events[4]).toMatchObject({ user_id: 'user-2', previous_id: 'user-1' });
    expect(events[5]).toMatchObject({ group_id: 'acme', traits: { seats: 10 }, user_id: 'user-1' });
  });

  it('refuses calls that cannot make a valid event, as drops', async () => {
    const client = clients.create();
    const notices = record(client);
    client.identify('');
    // The schema takes an identify without a user id (Segment's anonymous identify); this SDK's identify() is for a user id.
    client.identify(undefined as unknown as string);
    client.group(undefined as unknown as string);
    client.alias('x'.repeat(300));
    await client.flush();
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    expect(ingest.received).toHaveLength(0);
  });
});

describe('consent', () => {
  it("consent 'pending': nothing stored, no id, no request until granted; then everything held is sent", async () => {
    const { storage, writes } = countingStorage();
    const client = clients.create({ consent: 'pending', flushAt: 1 }, { storage });
    client.track('before_consent');
    await client.flush();
    expect(writes).toEqual([]);
    expect(ingest.received).toHaveLength(0);
    client.setConsent({ analytics: true, ads: false });
    await client.flush();
    expect(ingest.events().map((e) => [e.event, e.context.consent])).toEqual([['before_consent', { analytics: true, ads: false }]]);
    expect(writes.length).toBeGreaterThan(0);
  });

  it("consent 'pending', another tab opts out, then a call, optIn() and consent: the call before optIn() is judged as opted out", async () => {
    const shared = syncStore();
    const client = clients.create({ consent: 'pending' }, { syncStore: shared });
    shared.set('eventline.optout', 'true'); // another tab's optOut(), after this client was created
    client.track('a');
    client.optIn();
    client.setConsent(true);
    client.track('b');
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['b']);
  });

  it('denied consent drops what was held and everything after', async () => {
    const { storage, writes } = countingStorage();
    const client = clients.create({ consent: 'pending' }, { storage });
    const notices = record(client);
    client.track('a');
    client.setConsent(false);
    client.track('b');
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.events.length])).toEqual([
      ['consent', 1],
      ['consent', 0],
    ]);
    expect(writes).toEqual([]);
    expect(ingest.received).toHaveLength(0);
  });

  it('an anonymize() waiting for consent is never the call evicted past maxQueue', async () => {
    const client = clients.create({ consent: 'pending', maxQueue: 10 });
    const notices = record(client);
    client.anonymize();
    for (let i = 0; i < 10; i++) client.track(`t${i}`);
    client.identify('user-1');
    client.track('after');
    client.setConsent(true);
    await client.flush();
    // 13 calls wait, the bound is 10: the three oldest events go.
    expect(notices.drop.filter((d) => d.reason === 'queue_full').flatMap((d) => d.events.map((e) => e.event))).toEqual(['t0', 't1', 't2']);
    // Still anonymized: no user id reaches the events.
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([...Array.from({ length: 7 }, (_, i) => [`t${i + 3}`, undefined]), ['after', undefined]]);
  });

  it('an identify() made while consent is denied is dropped and its user id not kept', async () => {
    const client = clients.create();
    const notices = record(client);
    client.setConsent(false);
    client.identify('user-4');
    client.setConsent(true);
    client.track('after');
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([['consent', 'consent denied'], ['consent', 'no consent']]);
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([['after', undefined]]);
  });

  it('consent withdrawn after it was granted drops the queued events with a notice', async () => {
    const storage = createMemoryStorage();
    const client = clients.create({ flushAt: 100 }, { storage });
    const notices = record(client);
    client.track('queued_1');
    client.track('queued_2');
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toHaveLength(2));
    client.setConsent(false);
    await client.flush();
    expect(notices.drop.map((d) => [d.reason, d.events.map((e) => e.event)])).toEqual([['consent', ['queued_1', 'queued_2']]]);
    expect(ingest.received).toHaveLength(0);
    expect(await storage.entries(QUEUE_PREFIX)).toEqual([]);
  });

  it('optOut() drops the queue, persists, and survives a reload; optIn() resumes', async () => {
    const storage = createMemoryStorage();
    const client = clients.create({}, { storage });
    const notices = record(client);
    client.track('queued');
    client.optOut();
    client.track('after');
    await client.flush();
    expect(ingest.received).toHaveLength(0);
    expect(notices.drop.map((d) => d.reason)).toEqual(['consent', 'consent']);
    expect(await storage.entries(QUEUE_PREFIX)).toEqual([]);

    const reloaded = clients.create({}, { storage });
    reloaded.track('still_out');
    await reloaded.flush();
    expect(ingest.received).toHaveLength(0);
    reloaded.optIn();
    reloaded.track('back');
    await reloaded.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['back']);
  });

  it('an opt-out in one tab stops the other open tabs, and their saves cannot undo it', async () => {
    // Two tabs of one site: one Storage (IndexedDB) and one sync store (localStorage).
    const storage = createMemoryStorage();
    const shared = new Map<string, string>();
    const syncStore = { get: (k: string) => shared.get(k) ?? null, set: (k: string, v: string) => void shared.set(k, v) };
    const tabA = clients.create({}, { storage, syncStore });
    const tabB = clients.create({ flushAt: 1000 }, { storage, syncStore });
    const notices = record(tabB);
    await tabA.getDeviceId();
    await tabB.getDeviceId(); // both loaded the state before the opt-out: tab B's copy says optOut false
    tabB.track('queued_in_b');
    tabA.optOut();
    tabB.track('tracked_in_b_after'); // tab B has not heard yet: queued, then dropped at its next send
    await tabB.flush();
    await tabA.flush();
    expect(ingest.received).toHaveLength(0);
    expect(notices.drop.map((d) => [d.reason, d.message, d.events.map((e) => e.event)])).toEqual([
      ['consent', 'opted out', ['queued_in_b', 'tracked_in_b_after']],
    ]);
    tabB.track('later_in_b');
    expect(notices.drop.at(-1)?.reason).toBe('consent');
    tabB.identify('user-9'); // tab B saves its state again
    await tabB.flush();

    const reloaded = clients.create({}, { storage, syncStore });
    reloaded.track('after_reload');
    await reloaded.flush();
    expect(ingest.received).toHaveLength(0);
    expect(await storage.entries(QUEUE_PREFIX)).toEqual([]);

    tabB.optIn(); // and an opt-in in one tab reaches the others the same way
    reloaded.track('back');
    await reloaded.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['back']);
  });
});

describe('opt-out across tabs: what another tab stored meanwhile', () => {
  it('is dropped by the next tab that sends while opted out, not sent after a later opt-in', async () => {
    const storage = createMemoryStorage();
    const shared = new Map<string, string>();
    const syncStore = { get: (k: string) => shared.get(k) ?? null, set: (k: string, v: string) => void shared.set(k, v) };
    const closedTab = clients.create({ flushAt: 1000 }, { storage, syncStore });
    closedTab.track('stored_before_it_heard');
    await vi.waitFor(async () => expect(await storage.entries(QUEUE_PREFIX)).toHaveLength(1)); // in Storage; that tab then goes away
    const tab = clients.create({ flushAt: 1000 }, { storage, syncStore });
    const notices = record(tab);
    tab.optOut();
    await tab.flush();
    expect(notices.drop.flatMap((d) => d.events.map((e) => e.event))).toEqual(['stored_before_it_heard']);
    tab.optIn();
    await tab.flush();
    expect(ingest.received).toHaveLength(0);
    expect(await storage.entries(QUEUE_PREFIX)).toEqual([]);
  });
});

describe('identity', () => {
  it('reset() forgets the user and starts a new device id, seq and session', async () => {
    const client = clients.create();
    client.identify('user-1');
    const before = await client.getDeviceId();
    client.reset();
    client.track('after_reset');
    await client.flush();
    const last = ingest.events().at(-1);
    expect(last?.user_id).toBeUndefined();
    expect(last?.anonymous_id).not.toBe(before);
    expect(last?.seq).toBe(0);
    expect(last?.session_id).not.toBe(ingest.events()[0]?.session_id);
  });

  it('anonymize() sends no user id, no user agent, no click id, and a device id that is not persisted', async () => {
    const storage = createMemoryStorage();
    const client = clients.create({}, { storage, context: () => ({ user_agent: 'UA' }), landing: () => ({ url: 'https://a.test/?gclid=abc&utm_source=g' }) });
    client.identify('user-1');
    client.anonymize();
    client.track('private');
    await client.flush();
    const last = ingest.events().at(-1);
    expect(last?.user_id).toBeUndefined();
    expect(last?.context.user_agent).toBeUndefined();
    expect(last?.context.campaign).toEqual({ source: 'g' });
    expect(last?.anonymous_id).not.toBe((await storage.get<{ deviceId: string }>('eventline.state'))?.deviceId);
  });

  it('anonymized: a campaign and first touch the app gives in its own context (Node, React Native) go without click id and first touch', async () => {
    const campaign = { source: 'google', medium: 'cpc', click_id: 'g-1', click_id_type: 'gclid' };
    const client = clients.create({}, { context: () => ({ campaign, first_touch: campaign }) });
    client.track('before');
    client.anonymize();
    client.track('private');
    await client.flush();
    const [before, after] = ingest.events();
    expect(before?.context).toMatchObject({ campaign, first_touch: campaign });
    expect(after?.context.campaign).toEqual({ source: 'google', medium: 'cpc' });
    expect(after?.context.first_touch).toBeUndefined();
    expect(campaign.click_id).toBe('g-1'); // the app's object is not changed
  });

  it('anonymized: page URL and referrer lose their query strings; identify and alias are dropped, not sent to be rejected', async () => {
    const page = { url: 'https://a.test/shop?gclid=abc&email=x%40y.z#top', path: '/shop', referrer: 'https://ads.test/c?fbclid=F1' };
    const client = clients.create({}, { context: () => ({ page }) });
    const notices = record(client);
    client.anonymize();
    client.track('private');
    client.identify('user-2');
    client.alias('user-2');
    await client.flush();
    expect(ingest.events().map((e) => [e.event ?? e.type, e.context.page])).toEqual([['private', { url: 'https://a.test/shop', path: '/shop', referrer: 'https://ads.test/c' }]]);
    expect(notices.drop.map((d) => [d.reason, d.message, d.events[0]?.type])).toEqual([
      ['consent', 'anonymized', 'identify'],
      ['consent', 'anonymized', 'alias'],
    ]);
    client.anonymize(false);
    client.track('named');
    await client.flush();
    expect(ingest.events().at(-1)?.context.page).toEqual(page);
    // The dropped identify left no user id behind for the events after anonymizing ends.
    expect(ingest.events().at(-1)?.user_id).toBeUndefined();
  });

  it('an identify() dropped while opted out does not set the user id after opting in', async () => {
    const client = clients.create();
    client.optOut();
    client.identify('user-3');
    client.optIn();
    client.track('after');
    await client.flush();
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([['after', undefined]]);
  });

  it('an identify() refused as invalid does not set the user id on later events', async () => {
    const client = clients.create();
    const notices = record(client);
    client.identify('u'.repeat(300)); // over the 256-character limit of an id
    client.track('after');
    await client.flush();
    expect(notices.drop.map((d) => d.reason)).toEqual(['invalid']);
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([['after', undefined]]);
  });

  it('a new session starts after sessionTimeoutMs of inactivity', async () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const client = clients.create({ sessionTimeoutMs: 60_000 }, { now: () => now });
    client.track('a');
    now += 59_000;
    client.track('b');
    now += 61_000;
    client.track('c');
    await client.flush();
    const [a, b, c] = ingest.events().map((e) => e.session_id);
    expect(a).toBe(b);
    expect(c).not.toBe(b);
  });
});

describe('attribution', () => {
  it('reads utm_* and click ids, else an external referrer', () => {
    expect(readCampaign('https://s.test/p?utm_source=news&utm_medium=email&utm_campaign=bf&fbclid=F1#x', undefined)).toEqual({
      source: 'news',
      medium: 'email',
      name: 'bf',
      click_id: 'F1',
      click_id_type: 'fbclid',
    });
    expect(readCampaign('https://s.test/', 'https://www.google.com/search')).toEqual({ source: 'www.google.com', medium: 'referral' });
    expect(readCampaign('https://s.test/a', 'https://s.test/b')).toBeUndefined();
  });

  it('never clips a surrogate pair in half: first touch is kept for good, and a lone surrogate would get every event refused', () => {
    const campaign = readCampaign(`https://s.test/?utm_campaign=${'a'.repeat(255)}${encodeURIComponent('😀')}&gclid=${'g'.repeat(511)}${encodeURIComponent('😀')}`, undefined);
    expect(campaign).toMatchObject({ name: 'a'.repeat(255), click_id: 'g'.repeat(511) });
  });

  it('keeps first touch and last touch across visits and attaches them to events', async () => {
    const storage = createMemoryStorage();
    const first = clients.create({}, { storage, landing: () => ({ url: 'https://s.test/?utm_source=ads&gclid=G1' }) });
    first.track('visit_1');
    await first.close();
    const second = clients.create({}, { storage, landing: () => ({ url: 'https://s.test/?utm_source=newsletter' }) });
    second.track('visit_2');
    await second.flush();
    const [v1, v2] = ingest.events();
    expect(v1?.context.campaign).toEqual({ source: 'ads', click_id: 'G1', click_id_type: 'gclid' });
    expect(v2?.context.campaign).toEqual({ source: 'newsletter' });
    expect(v2?.context.first_touch).toEqual(v1?.context.campaign);
    for (const e of [v1, v2]) expect(validateEvent(e).ok).toBe(true); // the ingest takes them as they are
  });
});

describe('plugins: before → enrichment → destination', () => {
  it('runs in that order; a before-plugin returning null drops the event; destinations see what is sent', async () => {
    const order: string[] = [];
    const seen: string[] = [];
    const client = clients.create({
      plugins: [
        { name: 'dest', type: 'destination', execute: (e) => (seen.push(e.event ?? ''), e) },
        { name: 'enrich', type: 'enrichment', execute: (e) => (order.push('enrich'), { ...e, properties: { ...e.properties, enriched: true } }) },
        { name: 'filter', type: 'before', execute: (e) => (order.push('before'), e.event === 'internal' ? null : e) },
      ],
    });
    const notices = record(client);
    client.track('internal');
    client.track('public');
    await client.flush();
    expect(order).toEqual(['before', 'before', 'enrich']);
    expect(ingest.events().map((e) => [e.event, e.properties?.enriched])).toEqual([['public', true]]);
    expect(seen).toEqual(['public']);
    expect(notices.drop.map((d) => [d.reason, d.message])).toEqual([['plugin', 'dropped by plugin filter']]);
  });

  it('an identify a before-plugin drops does not set the user id on later events', async () => {
    const client = clients.create({ plugins: [{ name: 'no-identify', type: 'before', execute: (e) => (e.type === 'identify' ? null : e) }] });
    client.identify('user-5');
    client.track('after');
    await client.flush();
    expect(ingest.events().map((e) => [e.event, e.user_id])).toEqual([['after', undefined]]);
  });

  it('a throwing plugin drops only its event and reports why', async () => {
    const client = clients.create({
      plugins: [{ name: 'boom', type: 'enrichment', execute: (e) => {
        if (e.event === 'bad') throw new Error('nope');
        return e;
      } }],
    });
    const notices = record(client);
    client.track('bad');
    client.track('good');
    await client.flush();
    expect(ingest.events().map((e) => e.event)).toEqual(['good']);
    expect(notices.drop[0]?.message).toMatch(/boom threw: Error: nope/);
  });
});

describe('client_ts', () => {
  it('calls in one millisecond share its ISO string: toISOString() once per millisecond, not per call', async () => {
    let now = Date.UTC(2026, 10, 27, 12, 0, 0, 5);
    const client = clients.create({}, { now: () => now });
    await client.getDeviceId();
    const toIso = vi.spyOn(Date.prototype, 'toISOString');
    try {
      client.track('a');
      client.track('b');
      client.track('c');
      now += 1;
      client.track('d');
      expect(toIso).toHaveBeenCalledTimes(2);
    } finally {
      toIso.mockRestore();
    }
    await client.flush();
    expect(ingest.events().map((e) => [e.event, e.client_ts])).toEqual([
      ['a', '2026-11-27T12:00:00.005Z'],
      ['b', '2026-11-27T12:00:00.005Z'],
      ['c', '2026-11-27T12:00:00.005Z'],
      ['d', '2026-11-27T12:00:00.006Z'],
    ]);
  });

  it('a time no ISO string exists for fails each call, as before (never the previous call\'s time)', async () => {
    let now = Date.UTC(2026, 10, 27);
    const client = clients.create({}, { now: () => now });
    const notices = record(client);
    client.track('ok');
    now = 9e15; // past the last time a Date can hold (8.64e15 ms)
    client.track('bad_1');
    client.track('bad_2');
    now = Date.UTC(2026, 10, 27); // the queue's age checks read the clock too
    await client.flush();
    expect(notices.error.map((e) => e.message)).toEqual(['track failed', 'track failed']);
    expect(ingest.events().map((e) => e.event)).toEqual(['ok']);
  });
});

describe('shared context', () => {
  it('events share one context object while the platform context is unchanged, a new one when it changes', async () => {
    // The browser adapter returns the same object while page and screen are unchanged.
    let platformContext = { page: { url: 'https://shop.test/a' } };
    const storage = createMemoryStorage();
    const client = clients.create({}, { storage, context: () => platformContext });
    client.track('a');
    client.track('b');
    platformContext = { page: { url: 'https://shop.test/b' } };
    client.track('c');
    await client.getDeviceId();
    await new Promise((resolve) => setTimeout(resolve, 20)); // queue writes run on the next tick
    const stored = (await storage.entries<{ e: { event: string; context: { page?: { url: string } } } }>(QUEUE_PREFIX)).map(([, entry]) => entry.e);
    const [a, b, c] = ['a', 'b', 'c'].map((name) => stored.find((e) => e.event === name));
    expect(a?.context).toBe(b?.context);
    expect(c?.context).not.toBe(a?.context);
    expect([a, b, c].map((e) => e?.context.page?.url)).toEqual(['https://shop.test/a', 'https://shop.test/a', 'https://shop.test/b']);
  });

  it('a plugin changing one event\'s context leaves the other events\' context alone', async () => {
    const client = clients.create({
      plugins: [{ name: 'tag', type: 'enrichment', execute: (e) => {
        if (e.event === 'tagged') (e.context as Record<string, unknown>).locale = 'xx-XX';
        return e;
      } }],
    }, { context: () => ({ locale: 'en-GB' }) });
    client.track('tagged');
    client.track('plain');
    await client.flush();
    expect(ingest.events().map((e) => [e.event, e.context.locale])).toEqual([['tagged', 'xx-XX'], ['plain', 'en-GB']]);
  });
});

describe('auto page views (SPA)', () => {
  it('tracks a page at init and on each route change, unless autoPage is false', async () => {
    let route: () => void = () => undefined;
    const onRouteChange = (l: () => void) => ((route = l), () => undefined);
    const client = clients.create({}, { onRouteChange });
    route();
    await client.flush();
    expect(ingest.events().map((e) => e.type)).toEqual(['page', 'page']);
    ingest.reset();
    const quiet = clients.create({ autoPage: false }, { onRouteChange });
    route();
    quiet.track('x');
    await quiet.flush();
    expect(ingest.events().map((e) => e.type)).toEqual(['track']);
  });

  /** A client told of route changes, on a page whose URL `navigate` changes (history.pushState). */
  function routed(config: Parameters<typeof clients.create>[0] = {}) {
    let route: () => void = () => undefined;
    const page = { url: 'https://shop.example/' };
    const client = clients.create(config, { onRouteChange: (l) => ((route = l), () => undefined), context: () => ({ page: { ...page } }) });
    const navigate = (url: string) => ((page.url = `https://shop.example${url}`), route());
    return { client, navigate };
  }
  const pageUrls = () => ingest.events().filter((e) => e.type === 'page').map((e) => e.context.page?.url?.slice(20));

  it("flush() right after a route change sends that route's page view", async () => {
    const { client, navigate } = routed();
    await client.flush(); // the first page view sent: nothing is left to send
    navigate('/cart');
    await client.flush();
    expect(pageUrls()).toEqual(['/', '/cart']);
  });

  it.each([
    ['reset()', (c: ReturnType<typeof clients.create>) => c.reset()],
    ['anonymize()', (c: ReturnType<typeof clients.create>) => c.anonymize()],
    ['identify(null)', (c: ReturnType<typeof clients.create>) => c.identify(null)],
    ['setConsent()', (c: ReturnType<typeof clients.create>) => c.setConsent({ analytics: true, ads: false })],
  ])("%s right after a route change comes after that route's page view (it has the user and device id of before)", async (_, change) => {
    const { client, navigate } = routed();
    client.identify('alice');
    await client.flush();
    const [identified] = ingest.events().filter((e) => e.type === 'identify');
    navigate('/logout');
    change(client);
    await client.flush();
    const page = ingest.events().find((e) => e.type === 'page' && e.context.page?.url?.endsWith('/logout'));
    expect([page?.user_id, page?.anonymous_id, page?.context.consent]).toEqual(['alice', identified?.anonymous_id, undefined]);
  });

  it("a route change's page view has the route's URL and the title the router sets after pushState; a call made meanwhile comes after it", async () => {
    let route: () => void = () => undefined;
    const page = { url: 'https://shop.example/', title: 'Home' };
    const client = clients.create({}, { onRouteChange: (l) => ((route = l), () => undefined), context: () => ({ page: { ...page } }) });
    const navigate = (url: string, title?: string) => {
      page.url = `https://shop.example${url}`; // history.pushState
      route();
      if (title) page.title = title; // the router, after pushState
    };
    navigate('/t', 'T page');
    await vi.waitFor(() => expect(client.flush().then(() => ingest.events().length)).resolves.toBe(2)); // a task later
    navigate('/u', 'U page');
    client.track('u_viewed'); // before the page view's task: made after it, all the same
    navigate('/redirect'); // passed through in the same task, no title of its own
    navigate('/v', 'V page');
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().map((e) => [e.event ?? e.type, e.context.page?.url?.slice(20), e.context.page?.title])).toEqual([
        ['page', '/', 'Home'],
        ['page', '/t', 'T page'],
        ['page', '/u', 'U page'],
        ['u_viewed', '/u', 'U page'],
        ['page', '/redirect', 'U page'],
        ['page', '/v', 'V page'],
      ]);
    });
  });
});
