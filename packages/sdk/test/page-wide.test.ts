import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Transport } from '../src/index';
import { PAGE_WIDE_KEY } from '../src/page-wide';
import { ENDPOINT, ingestSuite, WRITE_KEY } from './support';

const { ingest } = ingestSuite();
const slot = Symbol.for(PAGE_WIDE_KEY);
/** The key before it carried the API version: what a copy from then reads. */
const unversioned = Symbol.for('eventline.page-wide');
const opened: { close: () => Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  delete (globalThis as Record<symbol, unknown>)[slot];
  delete (globalThis as Record<symbol, unknown>)[unversioned];
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** Another copy of the SDK in the same page (a second bundle, or the CJS build beside the ESM one): its own module state. */
async function copyOfTheSdk() {
  vi.resetModules();
  return import('../src/index');
}

const config = (writeKey: string) => ({ writeKey, endpoint: ENDPOINT, autoPage: false, compress: false });
const keysSent = () => ingest.received.map((r) => [new URL(r.url).searchParams.get('writeKey'), r.body.events.map((e) => e.event)]);

/** A page with three copies of the SDK, the first init()ed with WRITE_KEY; console.warn watched (not silenced). */
async function threeCopiesTheFirstInit() {
  vi.stubGlobal('document', {});
  const warn = vi.spyOn(console, 'warn');
  const copies = [await copyOfTheSdk(), await copyOfTheSdk(), await copyOfTheSdk()] as const;
  const client = copies[0].init(config(WRITE_KEY));
  opened.push(client);
  return { warn, client, copies };
}

describe('the page-wide instance across copies of the SDK in one page', () => {
  it('a copy that init()s another write key keeps its own instance: its events go to its own project, with a warning', async () => {
    vi.stubGlobal('document', {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const app = await copyOfTheSdk();
    const widget = await copyOfTheSdk();
    const appClient = app.init(config('wk_app'));
    const widgetClient = widget.init(config('wk_widget'));
    opened.push(appClient, widgetClient);
    expect(widgetClient).not.toBe(appClient);
    app.track('app_event');
    widget.track('widget_event');
    await app.flush();
    await widget.flush();
    expect(keysSent().sort()).toEqual([
      ['wk_app', ['app_event']],
      ['wk_widget', ['widget_event']],
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/another write key or endpoint.*call init\(\) first/);
  });

  it('copies that init() the same project, or never init(), share one instance', async () => {
    const { warn, client, copies: [esm, cjs, dependency] } = await threeCopiesTheFirstInit();
    expect(cjs.init(config(WRITE_KEY))).toBe(client);
    dependency.track('from_a_dependency');
    await esm.flush();
    expect(keysSent()).toEqual([[WRITE_KEY, ['from_a_dependency']]]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('copies whose endpoints differ only in how they are written (a trailing slash, /v1/batch) share one instance', async () => {
    const { warn, client, copies: [first, second, third] } = await threeCopiesTheFirstInit();
    expect(second.init({ ...config(WRITE_KEY), endpoint: `${ENDPOINT}/` })).toBe(client);
    expect(third.init({ ...config(WRITE_KEY), endpoint: `${ENDPOINT}/v1/batch` })).toBe(client);
    second.track('once');
    await first.flush();
    expect(keysSent()).toEqual([[WRITE_KEY, ['once']]]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('what another major version (or anything else) left under the key is not used when a method is missing: calls still never throw', async () => {
    vi.stubGlobal('document', {});
    const older = { api: { init: () => undefined, track: () => undefined } }; // no screen(), no flush() …
    (globalThis as Record<symbol, unknown>)[slot] = older;
    (globalThis as Record<symbol, unknown>)[unversioned] = older.api;
    const sdk = await copyOfTheSdk();
    opened.push(sdk.init(config(WRITE_KEY)));
    expect(() => sdk.screen('Home')).not.toThrow();
    await sdk.flush();
    expect(keysSent()).toEqual([[WRITE_KEY, ['Home']]]);
    expect((globalThis as Record<symbol, unknown>)[slot]).toBe(older); // left to the copy that made it
  });

  it('a global that takes no new property (frozen: SES lockdown) leaves each copy its own instance, no throw', async () => {
    vi.stubGlobal('document', {});
    // What a frozen globalThis does to the assignment in strict code, without freezing the test runner's global.
    for (const key of [slot, unversioned]) Object.defineProperty(globalThis, key, { value: undefined, writable: false, configurable: true });
    const sdk = await copyOfTheSdk();
    sdk.track('before_init');
    const client = sdk.init(config(WRITE_KEY));
    opened.push(client);
    await sdk.flush();
    expect(keysSent()).toEqual([[WRITE_KEY, ['before_init']]]);
  });

  it('under a frozen global, a copy that never init()s says once that its calls wait for an init() (never silently held)', async () => {
    vi.stubGlobal('document', {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const key of [slot, unversioned]) Object.defineProperty(globalThis, key, { value: undefined, writable: false, configurable: true });
    const app = await copyOfTheSdk();
    const dependency = await copyOfTheSdk();
    const client = app.init(config(WRITE_KEY));
    opened.push(client);
    app.track('from_the_app');
    expect(warn).not.toHaveBeenCalled(); // nothing held: the app's copy had init()ed
    dependency.track('held');
    dependency.identify('user-1');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/never sent if this copy never calls init\(\)/);
    await app.flush();
    expect(keysSent()).toEqual([[WRITE_KEY, ['from_the_app']]]);
  });

  it('page-wide calls made before a document exists (server, or a test environment set up late) do not keep the no-op instance', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const sdk = await copyOfTheSdk();
    sdk.track('on_the_server'); // no document: a no-op, told once
    expect(warn).toHaveBeenCalledTimes(1);
    vi.stubGlobal('document', {});
    const client = sdk.init(config(WRITE_KEY));
    opened.push(client);
    sdk.track('in_the_page');
    await sdk.flush();
    expect(keysSent()).toEqual([[WRITE_KEY, ['in_the_page']]]);
    expect(warn).toHaveBeenCalledTimes(1); // nothing more once in the page
  });
});

describe('createEventline() with no document', () => {
  it('with a transport passed in, is a real client (a unit test in Node, a script choosing where events go)', async () => {
    const sent: string[] = [];
    const transport: Transport = {
      send: (_url, body) => {
        sent.push(...(JSON.parse(String(body)) as { events: { event: string }[] }).events.map((e) => e.event));
        return Promise.resolve({ status: 200, body: { accepted: sent.length, rejected: 0, retry: 0 } });
      },
    };
    const { createEventline } = await copyOfTheSdk();
    const client = createEventline(config(WRITE_KEY), { transport });
    opened.push(client);
    client.track('from_a_test');
    await client.flush();
    expect(sent).toEqual(['from_a_test']);
  });

  it('tracks no page view unless asked (autoPage defaults to off with no document; an explicit true holds)', async () => {
    const sent: string[] = [];
    const transport: Transport = {
      send: (_url, body) => {
        const events = (JSON.parse(String(body)) as { events: { type: string }[] }).events;
        sent.push(...events.map((e) => e.type));
        return Promise.resolve({ status: 200, body: { accepted: events.length, rejected: 0, retry: 0 } });
      },
    };
    const { createEventline } = await copyOfTheSdk();
    const withoutAutoPage = { writeKey: WRITE_KEY, endpoint: ENDPOINT, compress: false };
    const script = createEventline(withoutAutoPage, { transport });
    opened.push(script);
    script.track('from_a_script');
    await script.flush();
    expect(sent).toEqual(['track']);
    const asked = createEventline({ ...withoutAutoPage, autoPage: true }, { transport });
    opened.push(asked);
    await asked.flush();
    expect(sent).toEqual(['track', 'page']);
  });

  it('without one, is a no-op that says so once on the console (pointing to the Node entry)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { createEventline, init } = await copyOfTheSdk();
    createEventline(config(WRITE_KEY)).track('nothing_sent');
    createEventline(config(WRITE_KEY));
    init(config(WRITE_KEY));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/@eventline\/sdk\/node/);
    expect(ingest.received).toEqual([]);
  });

  it('stays quiet for the SSR pattern: a client made, or init() called, with no event call on the server', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { createEventline, init, on } = await copyOfTheSdk();
    const analytics = createEventline({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    analytics.on('error', () => undefined);
    init({ writeKey: WRITE_KEY, endpoint: ENDPOINT });
    on('drop', () => undefined);
    await analytics.flush();
    expect(warn).not.toHaveBeenCalled();
    analytics.track('rendered'); // a call made while rendering does go nowhere: told
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
