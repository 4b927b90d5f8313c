import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { chromiumLaunchOptions, emulatorKinesisClientConfig, readStream, recordJson } from '@eventline/devstack';
import { runQuery } from '@eventline/processor';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WRITE_KEY, startPipeline, STREAMS, type Pipeline } from '../src';
import { startIngestGate, type IngestGate } from './ingest-gate';
import { IIFE, SNIPPET } from './sdk-files';

/**
 * The SDK in a real Chromium against the real ingest (Kinesis emulator → processor → lake).
 * Two reads per test: the lake (DuckDB), where an event counts once it is stored, and the events
 * stream itself, which holds every copy that reached Kinesis. The processor's seen index keeps only
 * the first copy of an `event_id`, so the lake alone cannot show an SDK resend; the ingest's answers
 * and the stream can, and `expectSentOnce` checks there that the SDK sent no event again once the
 * ingest had accepted it.
 */

let pipeline: Pipeline;
/** What the pages send to: the ingest behind a gate the tests can take down. */
let gate: IngestGate;
let dataDir: string;
let browser: Browser;
let site: Server;
let siteUrl: string;
/** While set, /sdk.js waits for it: calls made meanwhile go through the snippet's queue. */
let holdSdk: Promise<void> | undefined;

function pageHtml(ingestUrl: string): string {
  const config = { writeKey: DEMO_WRITE_KEY, endpoint: ingestUrl, flushAt: 1, flushIntervalMs: 500, autoPage: false, leaseMs: 1000, retryMaxMs: 1000 };
  return `<!doctype html><html><head><script>${SNIPPET}</script><script>eventline.init(${JSON.stringify(config)});</script></head><body>shop</body></html>`;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'eventline-sdk-browser-'));
  pipeline = await startPipeline({ dataDir, engine: 'kinesalite', bufferMaxMs: 500 });
  gate = await startIngestGate(pipeline.ingestUrl);
  site = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/sdk.js') {
      void (holdSdk ?? Promise.resolve()).then(() => res.writeHead(200, { 'content-type': 'text/javascript' }).end(IIFE));
      return;
    }
    const body = path === '/elsewhere' ? '<!doctype html><p>no SDK here</p>' : pageHtml(gate.url);
    res.writeHead(200, { 'content-type': 'text/html' }).end(body);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await chromium.launch(chromiumLaunchOptions());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await gate?.close();
  await pipeline?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

interface Row {
  event_id: string;
  event: string;
  seq: number;
  anonymous_id: string;
  client_ts: string;
}

/** Rows in the lake for events whose name starts with `prefix`, once `count` of them are there. */
async function lakeRows(prefix: string, count: number, timeoutMs = 40_000): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: Row[] = [];
  while (Date.now() < deadline) {
    try {
      rows = (await runQuery(
        pipeline.lakeDir,
        `select event_id, event, seq, anonymous_id, cast(client_ts as varchar) as client_ts from events where event like '${prefix}%' order by seq`,
      )) as unknown as Row[];
    } catch (error) {
      rows = []; // no lake files yet: keep polling
      if (Date.now() + 250 >= deadline) throw error;
    }
    if (rows.length >= count) return rows;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`lake has ${rows.length} of ${count} "${prefix}*" events: ${JSON.stringify(rows)}`);
}

/** Open the shop page and wait until the SDK is running: its state loaded and, if `sender`, this tab the one that sends. */
async function openShop(context: BrowserContext, sender = true): Promise<Page> {
  const page = await context.newPage();
  await page.goto(siteUrl);
  await sdkLoaded(page);
  await page.evaluate(() => (window as unknown as { eventline: { getDeviceId: () => Promise<string> } }).eventline.getDeviceId());
  if (sender) {
    await page.waitForFunction(async () => ((await navigator.locks.query()).held ?? []).some((l) => l.name === 'eventline.sender'));
  }
  return page;
}

const track = (page: Page, name: string) => page.evaluate((n) => (window as unknown as { eventline: { track: (n: string) => void } }).eventline.track(n), name);
/** The SDK file has loaded and replaced the snippet's stub: `getDeviceId` returns something, so the stub has none (it has `flush`). */
const sdkLoaded = (page: Page) => page.waitForFunction(() => typeof (window as unknown as { eventline: { getDeviceId?: unknown } }).eventline.getDeviceId === 'function');
/** The page's SDK sends what it holds (if this tab is the sender); resolves once that is done. */
const flush = (page: Page) => page.evaluate(() => (window as unknown as { eventline: { flush: () => Promise<void> } }).eventline.flush());

function expectOnceEach(rows: Row[], names: string[]): void {
  expect(rows.map((r) => r.event).sort()).toEqual([...names].sort());
  expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
}

/**
 * That the SDK sent each event until it was accepted, and never again after: the ingest accepted
 * each of `rows` (from the lake) exactly once (its answers, seen by the gate), and the events stream
 * holds every one of them and no other event of this test. The stream may hold an extra copy of an
 * event only where the ingest answered it `retry`: a PutRecords call the ingest aborted at its write
 * budget can still land (on a loaded machine), and the SDK rightly resends what was not accepted;
 * the processor's seen index keeps one. Call it once the SDK has nothing left to send (all rows
 * stored, and a flush done, or the page gone).
 */
async function expectSentOnce(prefix: string, rows: Row[]): Promise<void> {
  const ids = rows.map((r) => r.event_id).sort();
  expect(ids.map((id) => gate.answers.get(id)?.accepted ?? 0)).toEqual(ids.map(() => 1));
  const client = new KinesisClient(emulatorKinesisClientConfig(pipeline.kinesis.endpoint));
  try {
    const copies = (await readStream(client, STREAMS.events))
      .map(recordJson)
      .filter((e) => typeof e.event === 'string' && e.event.startsWith(prefix))
      .map((e) => e.event_id as string);
    expect([...new Set(copies)].sort()).toEqual(ids);
    const extra = copies.filter((id, i) => copies.indexOf(id) !== i);
    for (const id of new Set(extra)) {
      expect(extra.filter((e) => e === id).length, `extra copies of ${id} beyond the ingest's retry answers`).toBeLessThanOrEqual(gate.answers.get(id)?.retry ?? 0);
    }
  } finally {
    client.destroy();
  }
}

/**
 * Every one of `names` is in the lake once, and the ingest accepted each once (see expectSentOnce).
 * With `page`, its SDK is flushed once they are all stored, so that nothing it still holds is missed.
 */
async function expectDeliveredOnce(prefix: string, names: string[], page?: Page): Promise<Row[]> {
  const rows = await lakeRows(prefix, names.length);
  if (page) await flush(page);
  expectOnceEach(rows, names);
  await expectSentOnce(prefix, rows);
  return rows;
}

describe('SDK in Chromium against the real ingest', () => {
  it('offline, track, reload, online: every event arrives exactly once', async () => {
    const context = await browser.newContext();
    const page = await openShop(context);
    gate.mode = 'down'; // offline: every request, the unload ones too, fails on the network
    const refusedBefore = gate.refused;
    for (const n of ['offline_a', 'offline_b', 'offline_c']) await track(page, n);
    await expect.poll(() => gate.refused).toBeGreaterThan(refusedBefore); // the SDK tried, and the network said no
    await page.reload();
    gate.mode = 'open';
    await sdkLoaded(page);
    const rows = await expectDeliveredOnce('offline_', ['offline_a', 'offline_b', 'offline_c'], page);
    expect(rows).toHaveLength(3);
    await context.close();
  });

  it('two tabs tracking at once: no event_id reaches the ingest twice', async () => {
    const context = await browser.newContext();
    const encodings: (string | undefined)[] = [];
    context.on('request', (request) => {
      if (request.url().startsWith(gate.url)) encodings.push(request.headers()['content-encoding']);
    });
    const [left, right] = [await openShop(context), await openShop(context, false)];
    const names = (tab: string) => Array.from({ length: 15 }, (_, i) => `tabs_${tab}_${i}`);
    await Promise.all([
      left.evaluate((list) => list.forEach((n) => (window as unknown as { eventline: { track: (n: string) => void } }).eventline.track(n)), names('l')),
      right.evaluate((list) => list.forEach((n) => (window as unknown as { eventline: { track: (n: string) => void } }).eventline.track(n)), names('r')),
    ]);
    const rows = await lakeRows('tabs_', 30);
    expectOnceEach(rows, [...names('l'), ...names('r')]);
    expect(encodings.length).toBeGreaterThan(0);
    expect(encodings.every((e) => e === 'gzip')).toBe(true); // gzip is the default; the page stayed open
    // One device, two tabs: every seq is unique (each tab numbers from its own reserved block).
    expect(new Set(rows.map((r) => r.anonymous_id)).size).toBe(1);
    expect(new Set(rows.map((r) => Number(r.seq))).size).toBe(rows.length);
    for (const tab of [left, right]) await flush(tab);
    await expectSentOnce('tabs_', rows);
    await context.close();
  });

  it('track then navigate away at once: the event arrives', async () => {
    const context = await browser.newContext();
    const page = await openShop(context);
    await track(page, 'leaving_now');
    await page.goto(`${siteUrl}/elsewhere`);
    await expectDeliveredOnce('leaving_', ['leaving_now']);
    await context.close();
  });

  it('navigate away while the batch is still being gzipped: the unload path sends it, once', async () => {
    const context = await browser.newContext();
    // CompressionStream whose output is held back until the page has gone: the regular send is
    // still compressing at pagehide (a real race, made certain here). Marks when compression starts.
    await context.addInitScript(() => {
      const Native = CompressionStream;
      const w = window as unknown as { CompressionStream: unknown; compressing?: boolean };
      w.CompressionStream = class {
        readable: ReadableStream<Uint8Array>;
        writable: WritableStream<BufferSource>;
        constructor(format: CompressionFormat) {
          const inner = new Native(format);
          w.compressing = true;
          this.writable = inner.writable;
          this.readable = inner.readable.pipeThrough(new TransformStream({ flush: () => new Promise<void>(() => undefined) }));
        }
      };
    });
    const page = await openShop(context);
    await track(page, 'gzipping_now');
    await page.waitForFunction(() => (window as unknown as { compressing?: boolean }).compressing === true);
    await page.goto(`${siteUrl}/elsewhere`);
    await expectDeliveredOnce('gzipping_', ['gzipping_now']);
    await context.close();
  });

  it('a burst tracked right before a reload, behind a backlog over 64 KiB the ingest answers 503 for: every event arrives, once', async () => {
    const context = await browser.newContext();
    // Once `holdWrites` is set, IndexedDB readwrite transactions are kept open (a request issued from
    // each success callback), so they never commit: the page goes with its write still open, which
    // the browser then aborts — the real race, made certain here.
    await context.addInitScript(() => {
      const proto = IDBDatabase.prototype;
      const native = Object.getOwnPropertyDescriptor(proto, 'transaction')?.value as (...a: unknown[]) => IDBTransaction;
      proto.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
        const tx = native.apply(this, args);
        if ((window as unknown as { holdWrites?: boolean }).holdWrites && args[1] === 'readwrite') {
          const store = tx.objectStore(tx.objectStoreNames[0] ?? '');
          const spin = () => void (store.count().onsuccess = spin);
          spin();
        }
        return tx;
      } as IDBDatabase['transaction'];
    });
    const page = await openShop(context);
    gate.mode = '503'; // a Kinesis outage, as the ingest answers it
    const refusedBefore = gate.refused;
    // ~110 KB queued: more than the unload path's 64 KiB keepalive budget, which it fills oldest first.
    await page.evaluate(() => {
      const api = (window as unknown as { eventline: { track: (n: string, p?: object) => void } }).eventline;
      for (let i = 0; i < 120; i++) api.track(`r503_backlog_${i}`, { pad: 'p'.repeat(800) });
    });
    await expect.poll(() => gate.refused).toBeGreaterThan(refusedBefore);
    // The backlog is stored; the burst's write will not have committed when the page goes.
    await flush(page);
    await page.evaluate(() => {
      (window as unknown as { holdWrites: boolean }).holdWrites = true;
      const api = (window as unknown as { eventline: { track: (n: string) => void } }).eventline;
      for (let i = 0; i < 20; i++) api.track(`r503_burst_${i}`);
    });
    await page.waitForTimeout(100); // the coalesced write starts (and stays open)
    await page.reload();
    await sdkLoaded(page);
    gate.mode = 'open';
    const names = [...Array.from({ length: 120 }, (_, i) => `r503_backlog_${i}`), ...Array.from({ length: 20 }, (_, i) => `r503_burst_${i}`)];
    await expectDeliveredOnce('r503_', names, page);
    await context.close();
  });

  it('snippet calls made before the SDK file loads arrive in order, with their call times', async () => {
    let release: () => void = () => undefined;
    holdSdk = new Promise<void>((resolve) => (release = resolve));
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(siteUrl, { waitUntil: 'domcontentloaded' });
    const queuedAt = await page.evaluate(() => {
      const api = (window as unknown as { eventline: { track: (n: string) => void; q: unknown[][] } }).eventline;
      for (const n of ['early_1', 'early_2', 'early_3', 'early_4']) api.track(n);
      return api.q.filter((c) => c[1] === 'track').map((c) => c[0] as number);
    });
    expect(queuedAt).toHaveLength(4);
    holdSdk = undefined;
    release();
    const rows = await lakeRows('early_', 4);
    expect(rows.map((r) => r.event)).toEqual(['early_1', 'early_2', 'early_3', 'early_4']);
    expect(rows.map((r) => Date.parse(r.client_ts))).toEqual(queuedAt);
    await flush(page);
    await expectSentOnce('early_', rows);
    await context.close();
  });
});
