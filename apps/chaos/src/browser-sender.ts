import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { nextEvent, type ChaosEvent } from './events';
import type { Ledger } from './ledger';
import type { NoticeTally } from './notices';
import { chromiumLaunchOptions } from '@eventline/devstack';


export interface BrowserSenderOptions {
  siteUrl: string;
  ingestUrl: string;
  burst: number;
  invalidEvery: number;
  ledger: Ledger;
  notices: NoticeTally;
  log: (line: string) => void;
  /** Scenario steps, with their times, for the services log. */
  trace: (line: string) => void;
}

interface PageApi {
  eventline: { track: (name: string, props: Record<string, unknown>) => void; getDeviceId?: () => Promise<string> };
}

/**
 * Every request the pages make to the ingest, as Chromium saw it: which page load sent it, and whether
 * an answer came back to it (the ingest's request id) or it failed. Duplicates are traced with this.
 */
function traceIngestRequests(context: BrowserContext, ingestUrl: string, trace: (line: string) => void): void {
  const ids = new WeakMap<Request, number>();
  let next = 0;
  const label = (request: Request): string => {
    let id = ids.get(request);
    if (id === undefined) ids.set(request, (id = next++));
    return `request #${id}`;
  };
  const from = (request: Request): string => {
    try {
      return request.frame().url();
    } catch {
      return 'no frame (page gone)'; // a keepalive request can outlive its page
    }
  };
  context.on('request', (r) => void (r.url().startsWith(ingestUrl) && r.method() === 'POST' && trace(`${label(r)} sent by ${from(r)} (${r.postData()?.length ?? 0} bytes)`)));
  context.on('requestfailed', (r) => void (r.url().startsWith(ingestUrl) && r.method() === 'POST' && trace(`${label(r)} failed: ${r.failure()?.errorText}`)));
  context.on('requestfinished', (r) => {
    if (!r.url().startsWith(ingestUrl) || r.method() !== 'POST') return;
    void r.response().then((res) => trace(`${label(r)} answered ${res?.status()} ${res?.headers()['x-request-id'] ?? ''}`));
  });
}


/**
 * The real SDK in a real Chromium, one browser profile (one shared queue) through every scenario:
 * offline/online flips, a reload right after a burst (mid-flush), two tabs tracking at once.
 */
export async function startBrowserSender(options: BrowserSenderOptions) {
  const { ledger, notices, siteUrl, burst } = options;
  const browser: Browser = await chromium.launch(chromiumLaunchOptions());
  let context: BrowserContext;
  try {
    context = await browser.newContext();
    await context.exposeFunction('chaosDrop', (reason: string, keys: (string | undefined)[]) => notices.drop(reason, keys));
    await context.exposeFunction('chaosSent', (requestId: string | undefined, sender: string) => notices.sent(requestId, sender));
  } catch (error) {
    await browser.close();
    throw error;
  }
  let tracked = 0;
  traceIngestRequests(context, options.ingestUrl, options.trace);

  const open = async (): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(siteUrl);
    await ready(page);
    return page;
  };
  const ready = async (page: Page): Promise<void> => {
    await page.waitForFunction(() => typeof (window as unknown as PageApi).eventline.getDeviceId === 'function');
    await page.evaluate(() => (window as unknown as PageApi).eventline.getDeviceId?.());
  };
  /** Keys enter the ledger before the page is asked to track them; the call returns once track() did. */
  const track = async (page: Page, count: number, step: string): Promise<void> => {
    const events: ChaosEvent[] = [];
    for (let i = 0; i < count; i++) events.push(nextEvent(ledger, 'browser', tracked++, options.invalidEvery));
    options.trace(`${step}: tracking ${String(events[0]?.properties.chaos_key)}…${String(events[events.length - 1]?.properties.chaos_key)}`);
    await page.evaluate((list) => list.forEach((e) => (window as unknown as PageApi).eventline.track(e.name, e.properties)), events);
  };

  const main = await open();

  async function offlineFlips(): Promise<void> {
    for (let flip = 0; flip < 2; flip++) {
      await context.setOffline(true);
      await track(main, burst, 'offline');
      await sleep(700); // the SDK tries, the network says no, the events wait
      await track(main, Math.ceil(burst / 2), 'still offline');
      options.trace('online');
      await context.setOffline(false); // fires `online`: the SDK resumes at once
      await sleep(500);
    }
  }

  async function reloadMidFlush(): Promise<void> {
    await track(main, burst, 'before reload');
    await main.reload(); // at once: requests are under way and the rest is still in memory
    await ready(main);
  }

  async function twoTabs(): Promise<void> {
    const second = await open();
    await Promise.all([track(main, burst, 'tab 1 of 2'), track(second, burst, 'tab 2 of 2')]);
    await sleep(300);
    await second.close({ runBeforeUnload: true });
    options.trace('second tab closed');
  }

  return {
    /** Rounds of every scenario until `deadline`; at least one full round. */
    async run(deadline: number): Promise<void> {
      let round = 0;
      do {
        await offlineFlips();
        await reloadMidFlush();
        await twoTabs();
        round += 1;
        await sleep(500);
      } while (Date.now() < deadline);
      options.log(`browser: ${round} rounds, ${tracked} events tracked`);
    },
    async close(): Promise<void> {
      await context.close();
      await browser.close();
    },
  };
}
