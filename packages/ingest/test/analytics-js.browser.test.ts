import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { chromiumLaunchOptions, ensureStreams, readStream, recordJson, startKinesis, startKinesisFaultProxy, stopChild, waitFor, type KinesisEmulator, type KinesisFaultProxy } from '@eventline/devstack';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../src';
import { startIngest } from './ingest-process';

/**
 * The real analytics.js (@segment/analytics-next, bundled here with esbuild) in a real Chromium,
 * pointed at the real Node ingest (kinesalite behind the fault proxy) with `apiHost` and nothing else
 * changed. Between the browser and the ingest a pass-through recorder keeps each request's method,
 * path, headers and answer, so the test can say what the library sent (preflights included).
 */
const WRITE_KEY = 'ajs_key';
const STREAM = 'ajs';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status?: number;
  answerHeaders?: IncomingHttpHeaders;
}

let kinesis: KinesisEmulator;
let proxy: KinesisFaultProxy;
let client: KinesisClient;
let ingest: ChildProcess;
let recorder: Server;
let site: Server;
let browser: Browser;
let apiHost: string;
let siteUrl: string;
const seen: Seen[] = [];

/** A pass-through HTTP proxy to the ingest that records every request and its status. */
function startRecorder(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString('utf8') };
      seen.push(entry);
      const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        entry.status = answer.statusCode;
        entry.answerHeaders = answer.headers;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.writeHead(502).end());
      out.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function bundleAnalyticsNext(): Promise<string> {
  const out = await build({
    stdin: { contents: "export { AnalyticsBrowser } from '@segment/analytics-next';", resolveDir: fileURLToPath(new URL('.', import.meta.url)) },
    bundle: true,
    format: 'iife',
    globalName: 'SegmentAnalytics',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return out.outputFiles[0]!.text;
}

beforeAll(async () => {
  const script = await bundleAnalyticsNext();
  kinesis = await startKinesis({ engine: 'kinesalite' });
  await ensureStreams(kinesis.endpoint, [STREAM, `${STREAM}-bad`].map((name) => ({ name, shards: 1 })));
  client = createKinesisClient({ endpoint: kinesis.endpoint, region: 'us-east-1' });
  proxy = await startKinesisFaultProxy(kinesis.endpoint);
  const env = {
    KINESIS_ENDPOINT: proxy.endpoint,
    INGEST_WRITE_KEYS: `${WRITE_KEY}=ajsapp`,
    INGEST_ALLOWED_ORIGINS: 'ajsapp=http://127.0.0.1:*',
    STREAM_NAME: STREAM,
    BAD_ROWS_STREAM_NAME: `${STREAM}-bad`,
    // An outage gives a 503 soon, and does not open the circuit (the resend must get through).
    INGEST_WRITE_BUDGET_MS: '300',
    INGEST_BREAKER_FAILURES: '100000',
  };
  const started = await startIngest(env);
  ingest = started.child;
  recorder = await startRecorder(new URL(started.url));
  apiHost = `127.0.0.1:${(recorder.address() as AddressInfo).port}/v1`;
  site = createServer((req, res) => {
    if (req.url === '/ajs.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><head><title>Shop</title><script src="/ajs.js"></script></head><body>shop</body></html>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await chromium.launch(chromiumLaunchOptions());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const server of [site, recorder]) if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  if (ingest) await stopChild(ingest, 5000);
  await proxy?.stop();
  client?.destroy();
  await kinesis?.stop();
}, 60_000);

/** A fresh page with analytics.js loaded: the settings a site would have, only `apiHost`/`protocol` pointing here. */
async function openShop(strategy: unknown, query = ''): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${siteUrl}${query}`);
  await page.evaluate(
    async ({ writeKey, apiHost, strategy }) => {
      const segmentio = { apiKey: writeKey, apiHost, protocol: 'http' };
      type Load = (settings: unknown, options: unknown) => Promise<[unknown]>;
      const g = globalThis as unknown as { SegmentAnalytics: { AnalyticsBrowser: { load: Load } }; analytics?: unknown };
      // cdnSettings given: no settings fetched from Segment's CDN (the test has no network).
      const [analytics] = await g.SegmentAnalytics.AnalyticsBrowser.load(
        { writeKey, cdnSettings: { integrations: { 'Segment.io': segmentio } } },
        { integrations: { 'Segment.io': { apiHost, protocol: 'http', ...(strategy ? { deliveryStrategy: strategy } : {}) } } },
      );
      g.analytics = analytics;
    },
    { writeKey: WRITE_KEY, apiHost, strategy },
  );
  return page;
}

async function stored(): Promise<Record<string, unknown>[]> {
  return (await readStream(client, STREAM)).map(recordJson);
}

/**
 * The stored events, each event_id once. analytics.js delivers at least once: a request it counts as
 * failed (on a loaded machine) is sent again with the same messageId, so the same event_id, which the
 * processor dedupes. A second record with a new event_id is a real extra event and still fails the test.
 */
function distinctEvents(events: Record<string, unknown>[]): Record<string, unknown>[] {
  const first = new Map<unknown, Record<string, unknown>>();
  for (const event of events) if (!first.has(event.event_id)) first.set(event.event_id, event);
  return [...first.values()];
}

const posts = (path: string) => seen.filter((s) => s.method === 'POST' && s.path === path);

/**
 * One message's requests to `path`: answered 503 with `Retry-After` (the ingest's documented answer when
 * Kinesis does not confirm within the write budget, as on a loaded machine) and resent, the same message
 * each time (the n-th resend says `X-Retry-Count: n`), until one is answered 200. Any other status, a 503
 * without `Retry-After`, a last answer that is not 200, or a resend of a different message fails.
 */
function expectResentUntilAccepted(path: string): Seen[] {
  const sent = posts(path);
  expect(sent.length, path).toBeGreaterThan(0);
  expect(sent.map((s) => s.status), path).toEqual([...sent.slice(1).map(() => 503), 200]);
  for (const refused of sent.slice(0, -1)) expect(refused.answerHeaders?.['retry-after'], path).toMatch(/^\d+$/);
  expect(sent.map((s) => s.headers['x-retry-count']), path).toEqual(sent.map((_, i) => (i === 0 ? undefined : String(i))));
  expect(new Set(sent.map((s) => (JSON.parse(s.body) as { messageId?: unknown }).messageId)).size, path).toBe(1);
  return sent;
}

/** The stored event of each type; each call made once, so each type is there once (in the order they got through). */
function eventsByType(events: Record<string, unknown>[]): Map<unknown, Record<string, unknown>> {
  return new Map(events.map((e) => [e.type, e]));
}

describe('the real analytics.js in Chromium against the real ingest', () => {
  it('sends each call to its one-letter path (text/plain, key in body and header); an anonymous identify lands as an identify', async () => {
    const page = await openShop(undefined);
    await page.evaluate(async () => {
      const a = (globalThis as unknown as { analytics: Record<string, (...args: unknown[]) => Promise<unknown>> }).analytics;
      await a.identify!({ email: 'before-signup@shop.example' });
      await a.track!('Order Completed', { af_revenue: 12, af_currency: 'EUR' });
      await a.page!();
      await a.screen!('Cart');
      await a.group!('acme', { seats: 3 });
      await a.alias!('user-1');
    });
    await waitFor('six analytics.js events in Kinesis', async () => distinctEvents(await stored()).length >= 6, 30_000, 100);
    const events = distinctEvents(await stored());
    // Sorted: a call answered 503 and resent lands after the calls made while it waited.
    expect(events.map((e) => e.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track']);
    const byType = eventsByType(events);
    const identify = byType.get('identify')!;
    const anonymousId = identify.anonymous_id as string;
    expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(identify).toMatchObject({ app_id: 'ajsapp', traits: { email: 'before-signup@shop.example' }, context: { library: { name: 'analytics.js' } } });
    expect(identify.user_id ?? null).toBeNull();
    expect(byType.get('track')).toMatchObject({ event: 'Order Completed', anonymous_id: anonymousId, properties: { af_revenue: 12 } });
    expect(byType.get('group')).toMatchObject({ group_id: 'acme' });
    expect(byType.get('alias')).toMatchObject({ user_id: 'user-1', previous_id: anonymousId });
    expect(await readStream(client, `${STREAM}-bad`)).toEqual([]);
    const calls = [['/v1/i', 'identify'], ['/v1/t', 'track'], ['/v1/p', 'page'], ['/v1/s', 'screen'], ['/v1/g', 'group'], ['/v1/a', 'alias']] as const;
    // A call answered 503 may be in Kinesis before its resend is answered (the slow write got through late).
    await waitFor('each call answered 200', () => calls.every(([path]) => posts(path).some((s) => s.status === 200)), 30_000, 100);
    for (const [path, type] of calls) {
      for (const post of expectResentUntilAccepted(path)) {
        expect(post.headers['content-type'], path).toBe('text/plain');
        expect(post.headers.authorization, path).toBe(`Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`);
        expect(JSON.parse(post.body), path).toMatchObject({ type, writeKey: WRITE_KEY, anonymousId });
      }
    }
    // The Authorization header makes every such request preflighted.
    expect(seen.some((s) => s.method === 'OPTIONS' && s.status === 204)).toBe(true);
    await page.context().close();
  }, 60_000);

  it('batching: one POST /v1/b with { writeKey, batch, sentAt }; after a 503 the resend carries X-Retry-Count, its preflight passes, and the events land', async () => {
    const before = (await stored()).length;
    // The third call fills the batch and sends it. analytics.js resends on the flush timer that its first
    // call set (`timeout`), so a short one keeps the test short.
    const page = await openShop({ strategy: 'batching', config: { size: 3, timeout: 2000 } });
    proxy.plan.outage = 'error';
    await page.evaluate(() => {
      const a = (globalThis as unknown as { analytics: Record<string, (...args: unknown[]) => Promise<unknown>> }).analytics;
      void a.track!('Batched 1');
      void a.track!('Batched 2');
      void a.track!('Batched 3');
    });
    await waitFor('the ingest to answer the batch 503 while Kinesis is down', () => posts('/v1/b').some((s) => s.status === 503), 30_000, 20);
    proxy.plan.outage = undefined;
    await waitFor('the resent batch in Kinesis', async () => distinctEvents((await stored()).slice(before)).length >= 3, 30_000, 100);
    const events = distinctEvents((await stored()).slice(before));
    expect(events.map((e) => e.event).sort()).toEqual(['Batched 1', 'Batched 2', 'Batched 3']);
    expect(events.every((e) => e.app_id === 'ajsapp' && e.type === 'track')).toBe(true);

    const [first, ...resends] = posts('/v1/b');
    expect(first!.headers['x-retry-count']).toBeUndefined();
    const body = JSON.parse(first!.body) as { writeKey: string; batch: Record<string, unknown>[]; sentAt: string };
    expect(Object.keys(body).sort()).toEqual(['batch', 'sentAt', 'writeKey']);
    expect(body.writeKey).toBe(WRITE_KEY);
    expect(body.batch.map((m) => [m.type, m.event, 'sentAt' in m])).toEqual([
      ['track', 'Batched 1', false],
      ['track', 'Batched 2', false],
      ['track', 'Batched 3', false],
    ]);
    // A resend with X-Retry-Count got through CORS: the browser sends it only once a preflight allowed
    // the header (Chromium caches the allowed list of the batch path's first preflight; with a list
    // lacking X-Retry-Count it asks again, is refused, and the request never leaves the browser).
    const accepted = resends.find((s) => s.status === 200);
    expect(accepted?.headers['x-retry-count']).toMatch(/^[1-9]\d*$/);
    const preflights = seen.filter((s) => s.method === 'OPTIONS' && s.path === '/v1/b');
    expect(preflights.length).toBeGreaterThan(0);
    for (const p of preflights) expect(String(p.answerHeaders?.['access-control-allow-headers']).toLowerCase().split(',')).toContain('x-retry-count');
    await page.context().close();
  }, 60_000);

  it('a landing URL with a 300-character utm_content and a 1,100-character title: the events land, what our slots cannot hold kept in segment_extra', async () => {
    const before = (await stored()).length;
    const content = 'c'.repeat(300);
    const page = await openShop(undefined, `?utm_source=news&utm_medium=email&utm_content=${content}&utm_id=spring`);
    const title = 'T'.repeat(1100);
    await page.evaluate(async (title) => {
      document.title = title;
      const a = (globalThis as unknown as { analytics: Record<string, (...args: unknown[]) => Promise<unknown>> }).analytics;
      await a.track!('Promo Clicked');
      await a.page!();
    }, title);
    await waitFor('both events in Kinesis', async () => distinctEvents((await stored()).slice(before)).length >= 2, 30_000, 100);
    const events = distinctEvents((await stored()).slice(before));
    expect(events.map((e) => e.type).sort()).toEqual(['page', 'track']);
    for (const e of events) {
      const context = e.context as { campaign: unknown; page: Record<string, unknown>; segment_extra: { context: { campaign: unknown; page: Record<string, unknown> } } };
      expect(context.campaign).toEqual({ source: 'news', medium: 'email' });
      expect(context.segment_extra.context.campaign).toEqual({ content, id: 'spring' });
      expect(context.page.title).toBeUndefined();
      expect(context.page.url).toContain('utm_id=spring');
      expect(context.segment_extra.context.page.title).toBe(title);
    }
    expect(await readStream(client, `${STREAM}-bad`)).toEqual([]);
    await page.context().close();
  }, 60_000);
});
