import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface ShopSite {
  url: string;
  stop(): Promise<void>;
}

/**
 * A minimal page that loads the real SDK the way a site does: the script-tag snippet inlined, the IIFE
 * build loaded async. The SDK's drop and sent notices are handed to the harness (`chaosDrop`, `chaosSent`,
 * exposed by it); each page load names itself so a duplicate can be traced to the loads that sent it.
 */
export async function startShopSite(ingestUrl: string, writeKey: string): Promise<ShopSite> {
  const iife = readFileSync(require.resolve('@eventline/sdk/eventline.iife.js'), 'utf8');
  const snippet = readFileSync(require.resolve('@eventline/sdk/snippet.min.js'), 'utf8').replace('SDK_URL', '/sdk.js');
  // Small batches and short retries so a run of a minute sees many send/fail cycles; the unload lease is
  // the SDK's default (it decides when an unanswered unload batch is sent again). This one profile
  // tracks ~25 events/s, far more than a visitor: through a 30 s outage that would pass the default
  // 1,000-event queue bound, whose drops (oldest first, reported) are the SDK's contract, not a loss to
  // hunt here. The same goes for the 2 MB byte bound: the run's deliberately oversized events (40 KB each)
  // fill it during the outage, so both bounds are raised to fit the run. No automatic page views: every event of the run must be one the harness tracked.
  const config = { writeKey, endpoint: ingestUrl, flushAt: 5, flushIntervalMs: 500, autoPage: false, retryBaseMs: 200, retryMaxMs: 2000, maxQueue: 20_000, maxQueueBytes: 64_000_000 };
  const html = `<!doctype html><html><head><script>${snippet}</script><script>
eventline.init(${JSON.stringify(config)});
var pageLoad = Math.random().toString(36).slice(2, 8);
eventline.on('sent', function (n) { window.chaosSent(n.requestId, 'page ' + pageLoad); });
eventline.on('drop', function (n) { window.chaosDrop(n.reason, n.events.map(function (e) { return e.properties && e.properties.chaos_key; })); });
</script></head><body>chaos shop</body></html>`;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/sdk.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(iife);
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
