import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer } from '../src/web-server';
import { chromiumLaunchOptions } from '@eventline/devstack';

/** What a visitor can put into the lake: an event name, a utm_source, a reason, each closing the attribute. */
const HOSTILE = `x" onmouseover="window.__xss=1" data-x="<img src=x onerror=window.__xss=2>`;

const dataDir = mkdtempSync(join(tmpdir(), 'eventline-escape-'));
let browser: Browser;
let server: ServerType;
let url: string;

beforeAll(async () => {
  // No pipeline: the page's /api/dashboard answer is replaced below, so only the web server runs.
  ({ url, server } = await startWebServer({ port: 0, ingestUrl: 'http://127.0.0.1:9', writeKey: 'wk', lakeDir: join(dataDir, 'lake') }));
  browser = await chromium.launch(chromiumLaunchOptions());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard tables', () => {
  it('render a hostile label as text, never as markup or an attribute', async () => {
    const page = await browser.newPage();
    await page.route('**/api/dashboard', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          generated_at: new Date().toISOString(),
          totals: [{ events: 1 }],
          eventsPerMinute: [],
          topEvents: [{ event: HOSTILE, events: 1 }],
          funnel: [],
          revenueByCurrency: [],
          activeByHour: [],
          attribution: [{ source: HOSTILE, campaign: 'c', devices: 1, events: 1 }],
          firstTouch: [{ source: HOSTILE, devices: 1, buyers: 0 }],
          badRowsByReason: [{ reason: HOSTILE, rows: 1 }],
        }),
      }),
    );
    await page.goto(`${url}/dashboard`);
    await page.waitForSelector('[data-panel="badRowsByReason"] tbody th');

    expect(await page.locator('[onmouseover], [data-x], img').count()).toBe(0);
    expect(await page.locator('[data-panel="topEvents"] tbody th').textContent()).toBe(HOSTILE);
    const cells = await page.locator('td[data-cell]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-cell')));
    expect(cells).toEqual([`topEvents:${HOSTILE}:events`, `attribution:${HOSTILE} / c:devices`, `attribution:${HOSTILE} / c:events`, `firstTouch:${HOSTILE}:devices`, `firstTouch:${HOSTILE}:buyers`, `badRowsByReason:${HOSTILE}:rows`]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });
});

describe('dashboard times', () => {
  it('say they are UTC, the "updated" stamp too, in a browser on another time zone', async () => {
    const context = await browser.newContext({ timezoneId: 'America/New_York' });
    const page = await context.newPage();
    const empty = { totals: [{ events: 1 }], topEvents: [], funnel: [], revenueByCurrency: [], attribution: [], firstTouch: [], badRowsByReason: [] };
    await page.route('**/api/dashboard', (route) =>
      route.fulfill({
        contentType: 'application/json',
        // As the lake's queries answer (DuckDB's session is on UTC): 21:30 UTC is 16:30 in New York.
        body: JSON.stringify({ ...empty, generated_at: '2026-11-27T21:30:05.000Z', eventsPerMinute: [{ minute: '21:30', events: 1 }], activeByHour: [{ hour: '11-27 21:00', devices: 1, sessions: 1 }] }),
      }),
    );
    await page.goto(`${url}/dashboard`);
    await page.waitForFunction(() => document.body.dataset.generatedAt !== undefined);
    expect(await page.locator('[data-panel="eventsPerMinute"] figcaption').textContent()).toContain('UTC)');
    expect(await page.locator('[data-panel="activeByHour"] figcaption').textContent()).toContain('UTC)');
    expect(await page.locator('#updated').textContent()).toBe('updated 21:30:05 UTC');
    await context.close();
  });
});
