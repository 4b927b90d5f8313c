import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runQuery } from '@eventline/processor';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '@eventline/devstack';

const START = new URL('../dist/start.js', import.meta.url).pathname;
const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url).pathname;
/** Debian's chromium; the binary itself rather than the /usr/bin wrapper script (faster, quieter). */

const dataDir = mkdtempSync(join(tmpdir(), 'eventline-browser-'));
const lakeDir = join(dataDir, 'lake');
let demo: ChildProcess;
let siteUrl: string;
let ingestUrl: string;
let browser: Browser;

beforeAll(async () => {
  demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: demo.stdout! })) {
    siteUrl ??= /Demo page\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? (undefined as unknown as string);
    ingestUrl ??= /Ingest\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? (undefined as unknown as string);
    if (line.includes('Ctrl-C stops everything')) break;
  }
  browser = await chromium.launch(chromiumLaunchOptions());
  mkdirSync(ARTIFACTS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    demo.kill('SIGINT');
    await once(demo, 'exit');
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').trim();
const num = async (page: Page, selector: string) => Number(await text(page, selector));
const one = async (sql: string) => (await runQuery(lakeDir, sql))[0]!;

describe('the demo in Chromium', () => {
  let deviceId: string;

  it('shop: a campaign visitor registers, buys, goes offline, buys again, comes back; all of it lands once', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${siteUrl}/?utm_source=newsletter&utm_medium=email&utm_campaign=november`);
    await page.waitForFunction(() => document.getElementById('device')?.textContent !== '–');
    deviceId = await text(page, '#device');

    await page.fill('#user', 'Ada');
    await page.click('button[data-action="register"]');
    await page.click('button[data-view="sku-tee"]');
    await page.click('button[data-add="sku-tee"]');
    await page.click('button[data-add="sku-mug"]');
    await page.selectOption('#currency', 'USD');
    await page.click('#buy');
    await page.waitForFunction(() => document.getElementById('queued')?.textContent === '0' && Number(document.getElementById('accepted')?.textContent) >= 6);

    // Offline: the queue grows and holds.
    await page.check('#offline');
    await page.click('button[data-view="sku-bag"]');
    await page.click('button[data-add="sku-bag"]');
    await page.click('#buy');
    await page.waitForFunction(() => Number(document.getElementById('queued')?.textContent) >= 3);
    const acceptedWhileOffline = await num(page, '#accepted');
    await page.screenshot({ path: join(ARTIFACTS, 'shop-offline.png'), fullPage: true });

    // Back online: it drains, and the lake gets everything, once.
    await page.uncheck('#offline');
    await page.waitForFunction(() => document.getElementById('queued')?.textContent === '0', undefined, { timeout: 20_000 });
    expect(await num(page, '#accepted')).toBeGreaterThanOrEqual(acceptedWhileOffline + 3);
    const tracked = await num(page, '#tracked');
    await page.waitForFunction((n) => Number(document.querySelector('[data-stage="lake"]')?.textContent) >= n, tracked, { timeout: 30_000 });
    // The processor's own count (its /metrics) agrees, and its lag is shown.
    await page.waitForFunction((n) => Number(document.querySelector('[data-stage="delivered"]')?.textContent) >= n, tracked, { timeout: 30_000 });
    expect(await page.textContent('#processor-lag')).toMatch(/^lag \d+\.\d s behind Kinesis, 0 errors$/);

    const lake = await one(`select count(*) as n, count(distinct event_id) as ids,
                                   count(*) filter (where event = 'af_purchase') as purchases,
                                   count(*) filter (where campaign_source = 'newsletter') as from_newsletter,
                                   count(*) filter (where first_touch_source = 'newsletter' and first_touch_medium = 'email') as first_from_newsletter,
                                   count(*) filter (where schema_version = 2) as v2
                            from events where anonymous_id = '${deviceId}'`);
    // The landing campaign is the device's first touch too (envelope v2 columns), on every event.
    expect(lake).toEqual({ n: tracked, ids: tracked, purchases: 2, from_newsletter: tracked, first_from_newsletter: tracked, v2: tracked });
    expect(await one(`select round(sum(revenue), 2) as usd from events where anonymous_id = '${deviceId}' and event = 'af_purchase' and currency = 'USD'`)).toEqual({ usd: 78.49 }); // 19.99 + 9.50, then 49 offline (USD stays selected)
    expect(await one(`select count(*) as n from events where anonymous_id = '${deviceId}' and user_id = 'user-ada' and event = 'af_complete_registration'`)).toEqual({ n: 1 });
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'shop.png'), fullPage: true });
    await page.close();
  });

  it('live view: a refused request, a rejected event and the accounting line (written = delivered + …) all show', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(siteUrl);
    const writeKey = await page.evaluate(() => (window as unknown as { EVENTLINE_DEMO: { writeKey: string } }).EVENTLINE_DEMO.writeKey);
    const send = (key: string, body: unknown) =>
      fetch(`${ingestUrl}/v1/batch`, { method: 'POST', headers: { authorization: `Basic ${btoa(`${key}:`)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await send('wk_not_a_key', { sent_at: new Date().toISOString(), events: [] })).status).toBe(401);
    const rejected = (await (await send(writeKey, { sent_at: new Date().toISOString(), events: [{ event_id: 'not-a-uuid' }] })).json()) as { rejected: number };
    expect(rejected.rejected).toBe(1);

    await page.waitForFunction(() => Number(document.querySelector('[data-stage="refused"]')?.textContent) >= 1);
    expect(await text(page, '#refused-codes')).toContain('invalid_write_key: 1');
    await page.waitForFunction(() => Number(document.querySelector('[data-stage="rejected"]')?.textContent) >= 1);
    expect(await num(page, '[data-stage="duplicates"]')).toBeGreaterThanOrEqual(0);
    expect(await num(page, '[data-stage="retry"]')).toBeGreaterThanOrEqual(0);
    // Once the processor has read the rejected event's bad row, nothing is in flight and the sum holds.
    await page.waitForFunction(() => / \+ held by the processor 0 \+ not read 0$/.test(document.getElementById('accounting')?.textContent ?? ''), undefined, { timeout: 30_000 });
    const line = await text(page, '#accounting');
    const [written, delivered, duplicates, badRows] = [...line.matchAll(/\d+/g)].map((m) => Number(m[0]));
    expect(line).toMatch(/^written \d+ = delivered \d+ \+ duplicates \d+ \+ bad rows \d+ \+ held by the processor 0 \+ not read 0$/);
    expect(badRows).toBeGreaterThanOrEqual(1);
    expect(written).toBe(delivered! + duplicates! + badRows!);
    expect(await num(page, '[data-stage="expired"]')).toBe(0); // no pending flush of an earlier run was trimmed
    await page.screenshot({ path: join(ARTIFACTS, 'pipeline-accounting.png'), fullPage: true });
    await page.close();
  });

  it('dashboard: every figure equals a direct DuckDB query; the SQL box answers and refuses writes', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${siteUrl}/dashboard`);
    await page.waitForFunction(() => document.body.dataset.generatedAt);

    const totals = await one(`select count(*) as events, count(distinct anonymous_id) as devices,
                                     count(distinct session_id) as sessions, count(*) filter (where event = 'af_purchase') as purchases from events`);
    for (const key of ['events', 'devices', 'sessions', 'purchases'] as const) {
      expect(await num(page, `[data-total="${key}"]`), key).toBe(totals[key]);
    }
    const usd = await one(`select round(sum(revenue), 2) as revenue, count(*) as purchases from events where event = 'af_purchase' and currency = 'USD'`);
    expect(await num(page, '[data-cell="revenueByCurrency:USD:revenue"]')).toBe(usd.revenue);
    expect(await num(page, '[data-cell="revenueByCurrency:USD:purchases"]')).toBe(usd.purchases);
    const purchases = await one(`select count(*) as n from events where event = 'af_purchase'`);
    expect(await num(page, '[data-cell="topEvents:af_purchase:events"]')).toBe(purchases.n);
    const newsletter = await one(`select count(distinct anonymous_id) as devices from events where campaign_source = 'newsletter' and campaign_name = 'november'`);
    expect(await num(page, '[data-cell="attribution:newsletter / november:devices"]')).toBe(newsletter.devices);
    const buyers = await one(`select count(distinct anonymous_id) as n from events where event = 'af_purchase'`);
    expect(await num(page, '[data-cell="funnel:purchased:devices"]')).toBe(buyers.n);
    // Envelope v2's first_touch columns (the visitor above landed from the newsletter, and bought).
    const firstNewsletter = await one(`select count(distinct anonymous_id) as devices, count(distinct anonymous_id) filter (where event = 'af_purchase') as buyers
                                       from events where first_touch_source = 'newsletter'`);
    expect(firstNewsletter.buyers).toBeGreaterThan(0);
    expect(await num(page, '[data-cell="firstTouch:newsletter:devices"]')).toBe(firstNewsletter.devices);
    expect(await num(page, '[data-cell="firstTouch:newsletter:buyers"]')).toBe(firstNewsletter.buyers);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    await page.fill('#sql', "select count(*) as n from events where event = 'af_purchase'");
    await page.click('#sql-form button');
    await page.waitForSelector('[data-sql-result]');
    expect(Number(await text(page, '[data-sql-result] td'))).toBe(purchases.n);
    await page.fill('#sql', 'drop view events');
    await page.click('#sql-form button');
    await page.waitForSelector('[data-sql-error]');
    expect(await page.getAttribute('[data-sql-error]', 'data-sql-error')).toBe('not_read_only');
    await page.close();
  });
});
