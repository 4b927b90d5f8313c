import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runQuery } from '@eventline/processor';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const START = new URL('../dist/start.js', import.meta.url).pathname;
const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url).pathname;
/** Debian's chromium; the binary itself rather than the /usr/bin wrapper script (faster, quieter). */
const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));

const dataDir = mkdtempSync(join(tmpdir(), 'eventline-browser-'));
let demo: ChildProcess;
let pageUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM) throw new Error('Chromium not found: install Debian\'s "chromium" package (see the README)');
  demo = spawn(process.execPath, [START], { env: { ...process.env, EVENTLINE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: demo.stdout! })) {
    pageUrl ??= /Demo page\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? (undefined as unknown as string);
    if (line.includes('Ctrl-C stops everything')) break;
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    demo.kill('SIGINT');
    await once(demo, 'exit');
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('demo page in Chromium', () => {
  it('loads the SDK by script tag; a click travels to the lake', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => document.getElementById('device')?.textContent !== '–');
    const deviceId = (await page.textContent('#device'))!;

    await page.click('#buy');
    await page.click('#buy');
    await page.waitForFunction(() => document.getElementById('accepted')?.textContent === '2');
    await page.waitForFunction(() => document.getElementById('lake')?.textContent === '2', undefined, { timeout: 20_000 });

    const rows = await runQuery(join(dataDir, 'lake'), `select event, properties, library_name, page_url, browser_name, device_type from events where anonymous_id = '${deviceId}'`);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.event).toBe('af_purchase');
      // JSON columns come back from DuckDB as JSON text.
      expect(JSON.parse(row.properties as string)).toMatchObject({ af_revenue: 19.99, af_currency: 'EUR', af_content_id: 'sku-42' });
      // Known context fields are columns (the processor flattens them; the user agent is parsed).
      expect(row).toMatchObject({ library_name: 'eventline-sdk', page_url: `${pageUrl}/`, device_type: 'desktop' });
      expect(row.browser_name).toEqual(expect.stringMatching(/chrom/i));
    }
    expect(errors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-page.png'), fullPage: true });
  });
});
