import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { chromiumLaunchOptions, emulatorKinesisClientConfig, readStream, recordJson, stopChild } from '@eventline/devstack';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WRITE_KEY, startPipeline, STREAMS, type Pipeline } from '../src';
import { IIFE, SNIPPET } from './sdk-files';

/**
 * The SDK's page-level cases in a real Chromium, against the real ingest: the back/forward cache,
 * a Content Security Policy with Trusted Types, prerendering. Chromium runs as a visitor's does:
 * Playwright's defaults turn the back/forward cache off, so they are not used here.
 */

let pipeline: Pipeline;
let dataDir: string;
let browser: Browser;
let site: Server;
let siteUrl: string;
/** While set, /sdk.js waits for it: calls made meanwhile go through the snippet's queue. */
let holdSdk: Promise<void> | undefined;
/** Response headers by page path (a CSP, say). */
const headers = new Map<string, Record<string, string>>();
/** SDK options by page path, over pageHtml's defaults. */
const configs = new Map<string, Record<string, unknown>>();
/** Answers held open by /slow (another script's keepalive request to a slow endpoint). */
const slow: { end: () => void }[] = [];

function pageHtml(config: Record<string, unknown> = {}, nonce = ''): string {
  const cfg = { writeKey: DEMO_WRITE_KEY, endpoint: pipeline.ingestUrl, flushAt: 1, flushIntervalMs: 500, autoPage: false, ...config };
  const attr = nonce ? ` nonce="${nonce}"` : '';
  return `<!doctype html><html><head><script${attr}>${SNIPPET}</script><script${attr}>eventline.init(${JSON.stringify(cfg)});</script></head><body>shop</body></html>`;
}

/**
 * The prerender test's pages. /home prerenders /prerendered (speculation rules) and asks /go until the
 * test says the visitor opens it; /prerendered reports (/loaded) whether it loaded as a prerender.
 */
const prerender: { hits: string[]; goAt: number; routes: Record<string, (() => string) | undefined> } = {
  hits: [],
  goAt: 0,
  routes: {
    '/home': () =>
      '<!doctype html><html><head><script type="speculationrules">{"prerender":[{"source":"list","urls":["/prerendered"],"eagerness":"immediate"}]}</script></head>' +
      "<body><script>setInterval(() => fetch('/go').then((r) => r.text()).then((t) => t === 'go' && (location.href = '/prerendered')), 100);</script></body></html>",
    '/go': () => (prerender.goAt ? 'go' : 'wait'),
    '/loaded': () => '',
    '/prerendered': () =>
      pageHtml({ autoPage: true }).replace('<body>', "<body><script>addEventListener('load', () => fetch('/loaded?prerendering=' + document.prerendering));</script>"),
  },
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'eventline-sdk-page-'));
  pipeline = await startPipeline({ dataDir, engine: 'kinesalite', bufferMaxMs: 500 });
  site = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/sdk.js') {
      void (holdSdk ?? Promise.resolve()).then(() => res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-cache' }).end(IIFE)); // no-store would keep pages out of the bfcache
      return;
    }
    if (path in prerender.routes) {
      prerender.hits.push(`${path}${req.url?.includes('?') ? `?${req.url.split('?')[1]}` : ''}`);
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(prerender.routes[path]?.());
      return;
    }
    if (path === '/slow') {
      req.resume();
      slow.push(res);
      return;
    }
    const nonce = path.startsWith('/csp') ? 'n0nce' : '';
    res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store', ...headers.get(path) }).end(pageHtml(configs.get(path), nonce));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const launch = chromiumLaunchOptions();
  browser = await chromium.launch({ ...launch, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
}, 120_000);

afterAll(async () => {
  for (const res of slow.splice(0)) res.end();
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await pipeline?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** Every copy in the events stream of events whose name starts with `prefix`: [name, event_id]. */
async function streamed(prefix: string): Promise<[string, string][]> {
  const client = new KinesisClient(emulatorKinesisClientConfig(pipeline.kinesis.endpoint));
  try {
    return (await readStream(client, STREAMS.events))
      .map(recordJson)
      .filter((e) => typeof e.event === 'string' && e.event.startsWith(prefix))
      .map((e) => [e.event as string, e.event_id as string]);
  } finally {
    client.destroy();
  }
}

/** Page views in the events stream whose page path is `path`: their client_ts. */
async function pageViews(path: string): Promise<string[]> {
  const client = new KinesisClient(emulatorKinesisClientConfig(pipeline.kinesis.endpoint));
  try {
    return (await readStream(client, STREAMS.events))
      .map(recordJson)
      .filter((e) => e.type === 'page' && (e.context as { page?: { path?: string } } | undefined)?.page?.path === path)
      .map((e) => e.client_ts as string);
  } finally {
    client.destroy();
  }
}

type Api = { track: (n: string) => void; flush: () => Promise<void>; getDeviceId?: unknown };
const sdkLoaded = (page: Page) => page.waitForFunction(() => typeof (window as unknown as { eventline: Api }).eventline.getDeviceId === 'function');
const track = (page: Page, name: string) => page.evaluate((n) => (window as unknown as { eventline: Api }).eventline.track(n), name);
/** Wait until this tab sends (Web Locks), then send what it holds. */
async function flushAsSender(page: Page): Promise<void> {
  await page.waitForFunction(async () => ((await navigator.locks.query()).held ?? []).some((l) => l.name === 'eventline.sender'));
  await page.evaluate(() => (window as unknown as { eventline: Api }).eventline.flush());
}

describe('SDK page cases in Chromium', () => {
  it('snippet calls sent by the next page are not sent again when Back restores the page from the bfcache', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    let release = () => undefined as void;
    holdSdk = new Promise<void>((resolve) => (release = resolve));
    await page.goto(`${siteUrl}/first`, { waitUntil: 'domcontentloaded' });
    await page.evaluate(() => {
      (window as unknown as { restored: boolean }).restored = true; // survives only a bfcache restore
      (window as unknown as { eventline: Api }).eventline.track('bfcache_a');
      (window as unknown as { eventline: Api }).eventline.track('bfcache_b');
    });
    holdSdk = undefined;
    await page.goto(`${siteUrl}/next`, { waitUntil: 'domcontentloaded' }); // pagehide: the snippet saves its queue
    await sdkLoaded(page);
    await expect.poll(() => streamed('bfcache_').then((s) => s.length), { timeout: 30_000 }).toBe(2);
    await page.goBack({ waitUntil: 'commit' });
    expect(await page.evaluate(() => (window as unknown as { restored?: boolean }).restored)).toBe(true);
    release(); // the SDK file of the restored page arrives at last
    await sdkLoaded(page);
    await track(page, 'bfcache_after');
    await flushAsSender(page);
    await expect.poll(() => streamed('bfcache_after').then((s) => s.length), { timeout: 30_000 }).toBe(1);
    const names = (await streamed('bfcache_')).map(([name]) => name).sort();
    expect(names).toEqual(['bfcache_a', 'bfcache_after', 'bfcache_b']);
    await context.close();
  });

  it("loads and sends under a strict CSP (nonce + 'strict-dynamic'), with and without required Trusted Types", async () => {
    const csp = `script-src 'nonce-n0nce' 'strict-dynamic'; connect-src ${new URL(pipeline.ingestUrl).origin}`;
    headers.set('/csp-nonce', { 'content-security-policy': csp });
    headers.set('/csp-tt', { 'content-security-policy': `${csp}; require-trusted-types-for 'script'; trusted-types eventline` });
    const context = await browser.newContext();
    for (const path of ['/csp-nonce', '/csp-tt']) {
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (message) => message.type() === 'error' && violations.push(message.text()));
      await page.goto(`${siteUrl}${path}`);
      await sdkLoaded(page);
      await track(page, `csp_${path.slice(5)}`);
      await flushAsSender(page);
      expect(violations).toEqual([]);
      await page.close();
    }
    // One event id per name. A second copy of one id is the at-least-once the SDK README states (the
    // page closed before the acknowledged event's removal from IndexedDB committed, so the next page
    // sent it again; the processor removes it): seen once in CI under load. Two ids would be a bug.
    const names = (s: [string, string][]) => [...new Map(s.map(([name, id]) => [id, name])).values()].sort();
    await expect.poll(() => streamed('csp_').then(names), { timeout: 30_000 }).toEqual(['csp_nonce', 'csp_tt']);
    await context.close();
  });
  it('Back to a page restored from the bfcache is a page view, as Back to a reloaded page is (autoPage)', async () => {
    configs.set('/bf-home', { autoPage: true });
    headers.set('/bf-home', { 'cache-control': 'no-cache' }); // Chromium keeps a no-store page out of the bfcache
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${siteUrl}/bf-home`);
    await page.evaluate(() => ((window as unknown as { restored: boolean }).restored = true)); // survives only a bfcache restore
    await expect.poll(() => pageViews('/bf-home').then((views) => views.length), { timeout: 30_000 }).toBe(1);
    // To another site (localhost is another origin than 127.0.0.1): the page holding the sender lock is cached, not unloaded.
    await page.goto(`${siteUrl.replace('127.0.0.1', 'localhost')}/bf-next`);
    await page.goBack({ waitUntil: 'commit' }); // a page restored from the cache fires no load event
    expect(await page.evaluate(() => (window as unknown as { restored?: boolean }).restored)).toBe(true);
    await expect.poll(() => pageViews('/bf-home').then((views) => views.length), { timeout: 30_000 }).toBe(2);
    // The SDK idle (what it holds sent): a double page view of the restore would be in the stream by now.
    await flushAsSender(page);
    expect(await pageViews('/bf-home')).toHaveLength(2);
    await context.close();
  });

  it("another script's keepalive request holding most of the page's 64 KiB keepalive budget does not stall the SDK's sends", async () => {
    // One batch of 25 events, ~20 KB gzip: more than the 14 KiB the other request leaves.
    configs.set('/keepalive-shared', { flushAt: 25, flushIntervalMs: 60_000 });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${siteUrl}/keepalive-shared`);
    await sdkLoaded(page);
    await page.evaluate(() => void fetch('/slow', { method: 'POST', body: 'x'.repeat(50_000), keepalive: true }).catch(() => undefined));
    await expect.poll(() => slow.length, { timeout: 10_000 }).toBe(1);
    await page.evaluate(() => {
      const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(750)), (b) => b.toString(16).padStart(2, '0')).join('');
      for (let i = 0; i < 25; i++) (window as unknown as { eventline: { track: (n: string, p: object) => void } }).eventline.track('keepalive_shared', { noise: hex() });
    });
    // Sent while the other request still holds its part of the budget (before: refused, then backoff).
    await expect.poll(() => streamed('keepalive_shared').then((s) => new Set(s.map(([, id]) => id)).size), { timeout: 20_000 }).toBe(25);
    expect(slow).toHaveLength(1);
    for (const res of slow.splice(0)) res.end();
    await context.close();
  });

  it('a prerendered page records its page view only once the visitor opens it', async () => {
    // Chromium prerenders only without DevTools attached (Playwright attaches them): started on its own,
    // observed through the site and the events stream.
    const { executablePath, args } = chromiumLaunchOptions();
    const profile = mkdtempSync(join(tmpdir(), 'eventline-prerender-'));
    // Its own process group (detached): Chromium's helpers (zygote, renderers) are ended with it.
    const child = spawn(executablePath, [...args, `--user-data-dir=${profile}`, `${siteUrl}/home`], { stdio: 'ignore', detached: true });
    try {
      await expect.poll(() => prerender.hits.find((h) => h.startsWith('/loaded')), { timeout: 60_000 }).toBe('/loaded?prerendering=true');
      prerender.goAt = Date.now(); // the visitor opens the page now
      await expect.poll(() => pageViews('/prerendered').then((views) => views.length), { timeout: 60_000 }).toBe(1);
      const [clientTs] = await pageViews('/prerendered');
      expect(Date.parse(clientTs ?? '')).toBeGreaterThanOrEqual(prerender.goAt); // made when shown, not while prerendered
    } finally {
      await stopChild(child, 5000);
      // A helper can outlive the browser process for a moment, still writing to the profile (ENOTEMPTY
      // seen in CI): end what is left of the group, then remove the profile, retried while it lets go.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is gone already
      }
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  });
});
