import { readFileSync } from 'node:fs';
import { createContext, runInContext, type Context } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { withPrototypeJs } from './prototype-js';
import { ENDPOINT, fakeIngest, WRITE_KEY } from './support';

const dist = (file: string) => readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
const SDK_URL = 'https://cdn.test/eventline.iife.js';

const ingest = fakeIngest();
beforeAll(() => ingest.server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => ingest.reset());
afterAll(() => ingest.server.close());

/** A bare page: just what the snippet and the SDK touch. `storage` survives "navigations". */
function page(storage: Map<string, string>) {
  const scripts: { src?: string }[] = [];
  const listeners = new Map<string, (event?: unknown) => void>();
  const g: Record<string, unknown> = {
    Date, JSON, Math, Promise, Intl, Blob, Response, TextEncoder, Uint8Array, DataView, Error, TypeError, Array, Object, Set, Map, Number, String, encodeURIComponent, decodeURIComponent,
    setTimeout, clearTimeout, setInterval, clearInterval, AbortController, crypto: globalThis.crypto,
    fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
    location: { href: 'https://shop.test/', pathname: '/' },
    navigator: { language: 'en-GB', userAgent: 'UA' },
    document: { head: { appendChild: (s: { src?: string }) => scripts.push(s) }, createElement: () => ({}), referrer: '', title: 'Shop', addEventListener: () => undefined },
    localStorage: {
      get length() { return storage.size; },
      key: (i: number) => [...storage.keys()][i] ?? null,
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    },
    addEventListener: (type: string, fn: (event?: unknown) => void) => void listeners.set(type, fn),
    removeEventListener: () => undefined,
  };
  g.window = g;
  const context: Context = createContext(g);
  return {
    context,
    scripts,
    run: (code: string) => runInContext(code, context) as unknown,
    fire: (type: string, event?: unknown) => listeners.get(type)?.(event),
  };
}

const snippet = () => dist('snippet.min.js').replace('SDK_URL', SDK_URL);
const setup = `eventline.init({ writeKey: '${WRITE_KEY}', endpoint: '${ENDPOINT}', autoPage: false });`;

describe('script-tag snippet', () => {
  it('queues calls with their time before the SDK arrives; the SDK replays them in order with those times', async () => {
    const p = page(new Map());
    p.run(snippet());
    expect(p.scripts.map((s) => s.src)).toEqual([SDK_URL]);
    p.run(`eventline.track('first', { n: 1 }); ${setup} eventline.identify('user-7'); eventline.track('second'); eventline.page('Home');`);
    const queued = p.run('eventline.q.map(function (c) { return [c[0], c[1]]; })') as [number, string][];
    expect(queued.map((c) => c[1])).toEqual(['track', 'init', 'identify', 'track', 'page']);

    p.run(dist('eventline.iife.js'));
    // no Web Locks in this bare page: the localStorage lease makes it the sender after a moment
    await vi.waitFor(async () => {
      await (p.run('eventline.flush()') as Promise<void>);
      expect(ingest.events()).toHaveLength(4);
    });
    const events = ingest.events();
    expect(events.map((e) => [e.type, e.event ?? e.user_id ?? e.properties?.name])).toEqual([
      ['track', 'first'],
      ['identify', 'user-7'],
      ['track', 'second'],
      ['page', 'Home'],
    ]);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    const times = queued.filter((c) => c[1] !== 'init').map((c) => new Date(c[0]).toISOString());
    expect(events.map((e) => e.client_ts)).toEqual(times);
    expect(events[2]?.user_id).toBe('user-7');
    expect(p.run('typeof eventline.q')).toBe('undefined');
  });

  it('keeps the calls when the visitor leaves before the SDK arrives; the next page sends them', async () => {
    const storage = new Map<string, string>();
    const first = page(storage);
    first.run(snippet());
    first.run(`${setup} eventline.track('left_early', { n: 1 });`);
    first.fire('pagehide'); // the SDK file never arrived
    expect(JSON.parse(storage.get('eventline.stub') ?? '[]')).toHaveLength(2);

    const next = page(storage);
    next.run(snippet());
    next.run(`${setup} eventline.track('next_page');`);
    next.run(dist('eventline.iife.js'));
    await vi.waitFor(async () => {
      await (next.run('eventline.flush()') as Promise<void>);
      expect(ingest.events().map((e) => e.event)).toEqual(['left_early', 'next_page']);
    });
    expect(storage.has('eventline.stub')).toBe(false);
  });

  it('back from the bfcache after the next page sent the saved calls: the SDK does not send them again', async () => {
    const storage = new Map<string, string>();
    const first = page(storage);
    first.run(snippet());
    first.run(`${setup} eventline.track('bf_early');`);
    first.fire('pagehide', { persisted: true }); // kept in the back/forward cache, the SDK file still on its way

    const next = page(storage);
    next.run(snippet());
    next.run(setup.replace('autoPage', 'flushIntervalMs: 100, autoPage')); // as the sender, it also sends what other tabs store
    next.run(dist('eventline.iife.js')); // takes the saved calls and sends them
    await vi.waitFor(async () => {
      await (next.run('eventline.flush()') as Promise<void>);
      expect(ingest.events().map((e) => e.event)).toEqual(['bf_early']);
    });
    ingest.reset();

    first.fire('pageshow', { persisted: true }); // Back
    first.run(`eventline.track('bf_after_back');`);
    first.run(dist('eventline.iife.js')); // the SDK file arrives at last
    await (first.run('eventline.flush()') as Promise<void>); // queued and stored (the next page is the sender)
    await vi.waitFor(async () => {
      await (next.run('eventline.flush()') as Promise<void>);
      expect(ingest.events().map((e) => e.event)).toEqual(['bf_after_back']);
    }, 5000);
  });

  it('back from the bfcache before any page took the saved calls: this page sends them, and no later page does', async () => {
    const storage = new Map<string, string>();
    const first = page(storage);
    first.run(snippet());
    first.run(`${setup} eventline.track('bf_kept');`);
    first.fire('pagehide', { persisted: true });
    first.fire('pageshow', { persisted: true }); // Back, and no page with the SDK in between
    expect(storage.has('eventline.stub')).toBe(false);
    first.run(dist('eventline.iife.js'));
    await vi.waitFor(async () => {
      await (first.run('eventline.flush()') as Promise<void>);
      expect(ingest.events().map((e) => e.event)).toEqual(['bf_kept']);
    });
  });
});

describe('the <script> build on a page whose Array.prototype.toJSON returns a string (Prototype.js 1.6)', () => {
  // There JSON.stringify writes every array as a string: the batch's `events` too, so the ingest refused
  // every batch. The page's own array prototype (the vm context's) gets the toJSON, as Prototype.js sets it.
  const cart = { items: [{ sku: 'a', tags: ['x', 'y'] }, { sku: 'b', tags: [] }], total: 2 };

  /** Two pages one after the other (one localStorage), each with Prototype.js's Array#toJSON on its own arrays. */
  async function prototypePages(body: (first: ReturnType<typeof page>, second: ReturnType<typeof page>, storage: Map<string, string>) => Promise<void>): Promise<void> {
    const storage = new Map<string, string>();
    const first = page(storage);
    const second = page(storage);
    await withPrototypeJs(() => withPrototypeJs(() => body(first, second, storage), Object.getPrototypeOf(second.run('[]')) as object), Object.getPrototypeOf(first.run('[]')) as object);
  }

  it('sends arrays as arrays, also for calls the snippet saved on the previous page (as a string there)', async () => {
    await prototypePages(async (first, second, storage) => {
      first.run(snippet());
      first.run(`${setup} eventline.track('saved_cart', ${JSON.stringify(cart)});`);
      first.fire('pagehide', { persisted: false }); // the SDK file never arrived: the snippet saved its calls
      expect(typeof JSON.parse(storage.get('eventline.stub') ?? '[]')).toBe('string'); // what such a page stores

      second.run(snippet());
      second.run(`${setup} var drops = []; eventline.on('drop', function (d) { drops.push(d.reason); });`);
      second.run(`eventline.track('cart_viewed', ${JSON.stringify(cart)});`);
      second.run(dist('eventline.iife.js'));
      await vi.waitFor(async () => {
        await (second.run('eventline.flush()') as Promise<void>);
        expect(ingest.events().map((e) => [e.event, e.properties])).toEqual([
          ['saved_cart', cart],
          ['cart_viewed', cart],
        ]);
      });
      expect(second.run('drops')).toEqual([]);
    });
  });

  it('a saved page(undefined, properties) is a page view with those properties, not a drop (Prototype leaves undefined arguments out)', async () => {
    // Consent pending on both pages: the saved setConsent({ … }) (an object first, its undefined not put back) grants it.
    const pending = setup.replace('autoPage: false', "autoPage: false, consent: 'pending'");
    await prototypePages(async (first, second) => {
      first.run(snippet());
      first.run(`${pending} eventline.setConsent({ analytics: true }); eventline.page(undefined, { section: 'cart' }); eventline.screen(undefined, { tab: 2 }); eventline.page(null, { section: 'null' }); eventline.page('Named', { section: 'named' });`);
      first.fire('pagehide', { persisted: false }); // the SDK file never arrived: the snippet saved its calls

      second.run(snippet());
      second.run(`${pending} var drops = []; eventline.on('drop', function (d) { drops.push(d.reason); });`);
      second.run(dist('eventline.iife.js'));
      await vi.waitFor(async () => {
        await (second.run('eventline.flush()') as Promise<void>);
        expect(ingest.events().filter((e) => e.properties?.section !== undefined || e.properties?.tab !== undefined).map((e) => [e.type, e.event ?? null, e.properties])).toEqual([
          ['page', null, expect.objectContaining({ section: 'cart' })],
          ['screen', null, expect.objectContaining({ tab: 2 })],
          ['page', null, expect.objectContaining({ section: 'null' })],
          ['page', 'Named', expect.objectContaining({ section: 'named' })],
        ]);
      });
      expect(second.run('drops')).toEqual([]);
    });
  });
});

describe('the <script> build on a prerendered page', () => {
  it('leaves the calls a previous page saved until the page is shown (it may never be), then sends them', async () => {
    const storage = new Map<string, string>();
    const first = page(storage);
    first.run(snippet());
    first.run(`${setup} eventline.track('saved_before');`);
    first.fire('pagehide', { persisted: false });

    const prerendered = page(storage);
    const shown: (() => void)[] = [];
    prerendered.run('document.prerendering = true');
    (prerendered.context.document as { addEventListener: unknown }).addEventListener = (type: string, fn: () => void) =>
      type === 'prerenderingchange' && shown.push(fn);
    prerendered.run(snippet());
    prerendered.run(setup);
    prerendered.run(dist('eventline.iife.js'));
    expect(storage.has('eventline.stub')).toBe(true);

    prerendered.run('document.prerendering = false');
    for (const fn of shown) fn(); // the visitor opens it
    expect(storage.has('eventline.stub')).toBe(false);
    await vi.waitFor(async () => {
      await (prerendered.run('eventline.flush()') as Promise<void>);
      expect(ingest.events().map((e) => e.event)).toEqual(['saved_before']);
    });
  });
});

describe('the <script> build', () => {
  it("ships a source map of the minified file itself, not esbuild's map of the unminified bundle", () => {
    const code = dist('eventline.iife.js');
    const map = JSON.parse(dist('eventline.iife.js.map')) as { mappings: string; sources: string[] };
    // One `;`-separated group per generated line: the minified file is a single line.
    expect(map.mappings.split(';')).toHaveLength(code.split('\n').length);
    expect(map.sources).toContain('../src/core/delivery.ts');
  });
});
