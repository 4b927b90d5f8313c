import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { chromiumLaunchOptions, emulatorKinesisClientConfig, readStream, recordJson } from '@eventline/devstack';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WRITE_KEY, startPipeline, STREAMS, type Pipeline } from '../src';
import { IIFE, SNIPPET } from './sdk-files';

/**
 * The SDK's one sender across tabs and pages, in a real Chromium against the real ingest, where the
 * browser's own behaviour is the point: site data blocked (Web Locks refuse), the back/forward cache
 * (a cached page keeps what it holds), a same-site navigation (keepalive answers are lost at unload).
 * Read from the events stream: every copy the ingest wrote, with its `event_id`.
 */

let pipeline: Pipeline;
let dataDir: string;
let site: Server;
let siteUrl: string;

/** A shop page: the snippet, init, and every notice kept in `window.notices`. */
function pageHtml(config: Record<string, unknown> = {}): string {
  const cfg = { writeKey: DEMO_WRITE_KEY, endpoint: pipeline.ingestUrl, flushAt: 1, flushIntervalMs: 500, autoPage: false, leaseMs: 1000, retryMaxMs: 1000, ...config };
  const listen = `window.notices=[];['error','drop','sent'].forEach(function(n){eventline.on(n,function(x){window.notices.push(n+': '+(x&&x.message))})});`;
  return `<!doctype html><html><head><script>${SNIPPET}</script><script>eventline.init(${JSON.stringify(cfg)});${listen}</script></head><body>shop</body></html>`;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'eventline-sdk-tabs-'));
  pipeline = await startPipeline({ dataDir, engine: 'kinesalite', bufferMaxMs: 500 });
  site = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    if (url.pathname === '/sdk.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(IIFE);
    // ?batched: events wait for 20 (or the interval), so one tracked just before leaving goes with the unload send.
    const body = url.pathname === '/elsewhere' ? '<!doctype html><p>no SDK here</p>' : pageHtml(url.searchParams.has('batched') ? { flushAt: 20 } : {});
    res.writeHead(200, { 'content-type': 'text/html' }).end(body);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await pipeline?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** Every copy in the events stream of events whose name starts with `prefix`. */
async function streamCopies(prefix: string): Promise<{ event: string; event_id: string }[]> {
  const client = new KinesisClient(emulatorKinesisClientConfig(pipeline.kinesis.endpoint));
  try {
    return (await readStream(client, STREAMS.events))
      .map(recordJson)
      .filter((e) => typeof e.event === 'string' && e.event.startsWith(prefix))
      .map((e) => ({ event: e.event as string, event_id: e.event_id as string }));
  } finally {
    client.destroy();
  }
}

const names = async (prefix: string) => (await streamCopies(prefix)).map((e) => e.event).sort();
const sdkLoaded = (page: Page) => page.waitForFunction(() => typeof (window as unknown as { eventline: { getDeviceId?: unknown } }).eventline.getDeviceId === 'function');
const track = (page: Page, name: string) => page.evaluate((n) => (window as unknown as { eventline: { track: (n: string) => void } }).eventline.track(n), name);
const notices = (page: Page) => page.evaluate(() => (window as unknown as { notices: string[] }).notices);
const flush = (page: Page) => page.evaluate(() => (window as unknown as { eventline: { flush: () => Promise<void> } }).eventline.flush());
/** Events in the SDK's queue (its IndexedDB store): 0 once every one was acknowledged. */
const queued = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('eventline');
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const keys = open.result.transaction('kv').objectStore('kv').getAllKeys();
          keys.onsuccess = () => resolve(keys.result.filter((k) => typeof k === 'string' && k.startsWith('eventline.q.')).length);
          keys.onerror = () => reject(new Error(String(keys.error)));
        };
      }),
  );

describe('one sender across tabs, in Chromium', () => {
  it('site data blocked ("Don\'t allow sites to save data"): Web Locks refuse, and the tab sends its events itself', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'eventline-blocked-profile-'));
    mkdirSync(join(profile, 'Default'));
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }));
    const context = await chromium.launchPersistentContext(profile, chromiumLaunchOptions());
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(siteUrl);
      await sdkLoaded(page);
      // The browser's side of it: no storage, and a lock request is refused.
      expect(await page.evaluate(() => navigator.locks.request('probe', () => undefined).then(() => 'granted', (e: Error) => e.name))).toBe('SecurityError');
      await track(page, 'blocked_1');
      await expect.poll(() => names('blocked_'), { timeout: 30_000 }).toEqual(['blocked_1']);
      expect(await notices(page)).toContain('error: lock failed');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  });

  it('the sending tab goes into the back/forward cache: it lets go of the sender lock, another tab sends, and it takes part again once restored', async () => {
    // Playwright turns the back/forward cache off by default; this test needs it on.
    const browser = await chromium.launch({ ...chromiumLaunchOptions(), ignoreDefaultArgs: ['--disable-back-forward-cache'] });
    try {
      const context = await browser.newContext();
      const a = await context.newPage();
      await a.goto(siteUrl);
      await sdkLoaded(a);
      await a.evaluate(() => ((window as unknown as { firstDocument: boolean }).firstDocument = true));
      await track(a, 'bfcache_a_first'); // A is the only tab: it takes the lock and sends
      await expect.poll(() => names('bfcache_a_first'), { timeout: 30_000 }).toEqual(['bfcache_a_first']);
      const b = await context.newPage();
      await b.goto(siteUrl);
      await sdkLoaded(b);
      // A leaves for another site (localhost is another origin than 127.0.0.1): its page is cached, not unloaded.
      await a.goto(`${siteUrl.replace('127.0.0.1', 'localhost')}/elsewhere`);
      await track(b, 'bfcache_b_while_a_cached');
      await expect.poll(() => names('bfcache_b_'), { timeout: 30_000 }).toEqual(['bfcache_b_while_a_cached']);

      await a.goBack({ waitUntil: 'commit' }); // a page restored from the cache fires no load event
      // The same document came back from the cache (the case under test), not a new load.
      expect(await a.evaluate(() => (window as unknown as { firstDocument?: boolean }).firstDocument)).toBe(true);
      await track(a, 'bfcache_a_restored');
      await expect.poll(() => names('bfcache_a_restored'), { timeout: 30_000 }).toEqual(['bfcache_a_restored']);
      await b.close({ runBeforeUnload: false }); // B goes: A, asking again since its return, takes over
      await track(a, 'bfcache_a_alone_again');
      await expect.poll(() => names('bfcache_a_alone'), { timeout: 30_000 }).toEqual(['bfcache_a_alone_again']);
      expect(await names('bfcache_')).toEqual(['bfcache_a_alone_again', 'bfcache_a_first', 'bfcache_a_restored', 'bfcache_b_while_a_cached']);
    } finally {
      await browser.close();
    }
  });

  it('track, then at once a same-site navigation, page after page: every event arrives, and a resent one keeps its event_id', async () => {
    // Chromium rejects a page's keepalive fetches as it unloads it while the requests go on and land: the
    // answer to the unload send is never read, so the next page sends those events again once their
    // lease (leaseMs) is over. Downstream dedupe by event_id removes that copy: it must be the same event.
    const browser = await chromium.launch(chromiumLaunchOptions());
    try {
      const page = await (await browser.newContext()).newPage();
      const clicks = Array.from({ length: 4 }, (_, n) => `multipage_click_${n}`);
      for (const [n, click] of clicks.entries()) {
        await page.goto(`${siteUrl}/p${n}?batched`);
        await sdkLoaded(page);
        await track(page, click); // the click that leads to the next page (or, on the last, stays queued)
      }
      // Every event acknowledged (the last page resent what its predecessors' unload sends carried).
      await expect.poll(async () => (await flush(page), queued(page)), { timeout: 60_000 }).toBe(0);
      const copies = await streamCopies('multipage_');
      expect([...new Set(copies.map((c) => c.event))].sort()).toEqual(clicks);
      for (const click of clicks) expect(new Set(copies.filter((c) => c.event === click).map((c) => c.event_id)).size, click).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
