import { validateEvent } from '@eventline/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEventline } from '../src/index';
import { readBrowserContext } from '../src/platform/browser/context';
import { ENDPOINT, fakeIngest, WRITE_KEY } from './support';

const ingest = fakeIngest();
beforeAll(() => ingest.server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  vi.unstubAllGlobals();
  ingest.reset();
});
afterAll(() => ingest.server.close());

function stubBrowser() {
  const saved = new Map<string, string>();
  vi.stubGlobal('location', { href: 'https://shop.example/cart?x=1', pathname: '/cart' });
  vi.stubGlobal('document', { referrer: 'https://google.com/', title: 'Cart' });
  vi.stubGlobal('navigator', { language: 'de-DE', userAgent: 'Mozilla/5.0 (Test)' });
  vi.stubGlobal('screen', { width: 1280, height: 800 });
  vi.stubGlobal('devicePixelRatio', 2);
  vi.stubGlobal('localStorage', {
    get length() {
      return saved.size;
    },
    key: (i: number) => [...saved.keys()][i] ?? null,
    getItem: (k: string) => saved.get(k) ?? null,
    setItem: (k: string, v: string) => void saved.set(k, v),
    removeItem: (k: string) => void saved.delete(k),
  });
  return saved;
}

describe('browser context', () => {
  it('reads page, locale, timezone, screen and user agent', () => {
    const context = readBrowserContext({
      location: { href: 'https://a.example/p', pathname: '/p' },
      document: { referrer: '', title: 'T' },
      navigator: { language: 'en-GB', userAgent: 'UA' },
      screen: { width: 390, height: 844 },
      devicePixelRatio: 3,
    });
    expect(context).toEqual({
      page: { url: 'https://a.example/p', path: '/p', title: 'T' },
      locale: 'en-GB',
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: { width: 390, height: 844, density: 3 },
      user_agent: 'UA',
    });
  });

  it("takes the time zone from Temporal where the runtime has it, without building an Intl.DateTimeFormat", async () => {
    // The first DateTimeFormat of a page loads ICU's date formatting data: tens of ms in Chromium,
    // run in the task that starts the client (the bench's one long task). The reader caches the
    // time zone per module, so a fresh copy of the module is read here.
    vi.resetModules();
    const { readBrowserContext: readFresh } = await import('../src/platform/browser/context');
    const dateTimeFormat = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      const context = readFresh({ navigator: { language: 'en-NZ' }, Temporal: { Now: { timeZoneId: () => 'Pacific/Chatham' } } });
      expect(context.timezone).toBe('Pacific/Chatham');
      expect(dateTimeFormat).not.toHaveBeenCalled();
    } finally {
      dateTimeFormat.mockRestore();
    }
  });

  it('clips values to the schema limits and skips what the runtime lacks', () => {
    const context = readBrowserContext({ location: { href: `https://a.example/${'x'.repeat(5000)}` } });
    expect(context.page?.url).toHaveLength(4096);
    expect(context.screen).toBeUndefined();
    expect(context.user_agent).toBeUndefined();
  });

  it('never clips a surrogate pair in half (the ingest refuses a lone surrogate)', () => {
    const context = readBrowserContext({ document: { title: `${'t'.repeat(1023)}😀` } });
    expect(context.page?.title).toBe('t'.repeat(1023));
  });

  it('returns the same object while page and screen are unchanged, a new one when something changed', () => {
    const scope = { location: { href: 'https://a.example/p', pathname: '/p' }, document: { title: 'T' }, screen: { width: 390, height: 844 } };
    const first = readBrowserContext(scope);
    expect(readBrowserContext({ ...scope })).toBe(first);
    const retitled = readBrowserContext({ ...scope, document: { title: 'U' } });
    expect(retitled).not.toBe(first);
    expect(retitled.page?.title).toBe('U');
    const rotated = readBrowserContext({ ...scope, document: { title: 'U' }, screen: { width: 844, height: 390 } });
    expect(rotated.screen).toEqual({ width: 844, height: 390 });
  });

  it('reads location.pathname only when the href changed (it follows from the href; the dearest read of every track())', () => {
    let href = 'https://a.example/one?x=1';
    let pathReads = 0;
    const location = {
      get href() {
        return href;
      },
      get pathname() {
        pathReads += 1;
        return new URL(href).pathname;
      },
    };
    const scope = { location, document: { title: 'T' } };
    expect(readBrowserContext(scope).page?.path).toBe('/one');
    readBrowserContext(scope);
    readBrowserContext(scope);
    expect(pathReads).toBe(1);
    href = 'https://a.example/two';
    expect(readBrowserContext(scope).page).toEqual({ url: 'https://a.example/two', path: '/two', title: 'T' });
    expect(pathReads).toBe(2);
  });
});

describe('createEventline (browser entry)', () => {
  it('sends valid events with page context and keeps the device id in localStorage', async () => {
    const saved = stubBrowser();
    const client = createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    client.track('af_add_to_cart', { af_content_id: 'sku-1', af_price: 9.99, af_currency: 'EUR' });
    // No Web Locks here: the localStorage lease makes this tab the sender after a moment.
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().length).toBeGreaterThan(0);
    });
    await client.close();

    const event = ingest.events().find((e) => e.type === 'track');
    const result = validateEvent(event);
    expect(result.ok ? [] : result.issues).toEqual([]);
    expect(event?.context).toMatchObject({
      page: { url: 'https://shop.example/cart?x=1', path: '/cart', referrer: 'https://google.com/', title: 'Cart' },
      locale: 'de-DE',
      screen: { width: 1280, height: 800, density: 2 },
      user_agent: 'Mozilla/5.0 (Test)',
    });
    const state = JSON.parse(saved.get('eventline.state') ?? 'null') as { deviceId: string };
    expect(state.deviceId).toBe(event?.anonymous_id);
    // autoPage: a page view at init, then the track call
    expect(ingest.events().map((e) => [e.type, e.seq])).toEqual([['page', 0], ['track', 1]]);
    expect(saved.get(`eventline.seq.${state.deviceId}`)).toBe('400'); // the two blocks this page reserved (in use, spare)
  });
  it('optIn() right after init() on an opted-out device, the state still loading: the calls made before it are judged as opted out, not sent', async () => {
    const saved = stubBrowser();
    const config = { writeKey: WRITE_KEY, endpoint: ENDPOINT, autoPage: false, flushIntervalMs: 60_000 };
    const before = createEventline(config);
    before.optOut();
    await before.close();
    expect(saved.get('eventline.optout')).toBe('true');
    const client = createEventline(config);
    client.track('before_opt_in');
    client.optIn();
    client.track('after_opt_in');
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().map((e) => e.event)).toContain('after_opt_in');
    }, 10_000); // the closed client's lease runs out first (no Web Locks here)
    await client.close();
    expect(ingest.events().map((e) => e.event)).toEqual(['after_opt_in']);
  });

  it('a prerendered page stores and sends nothing until the visitor opens it; then its page view and the calls made meanwhile', async () => {
    const saved = stubBrowser();
    const doc = Object.assign(new EventTarget(), { referrer: '', title: 'Shop', prerendering: true });
    vi.stubGlobal('document', doc);
    const client = createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    client.track('while_prerendered');
    await client.flush();
    expect(ingest.events()).toEqual([]);
    expect([...saved.keys()]).toEqual([]); // no state, no queue, no lease: a page never shown leaves nothing behind

    doc.prerendering = false;
    doc.dispatchEvent(new Event('prerenderingchange')); // the visitor opens it
    await vi.waitFor(async () => {
      await client.flush();
      expect(ingest.events().map((e) => e.event ?? e.type)).toEqual(['while_prerendered', 'page']);
    });
    await client.close();
  });
});
