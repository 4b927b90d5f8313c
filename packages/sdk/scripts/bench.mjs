// npm run bench: the cost of track() in Chromium over a burst of 10,000 calls.
// Serves the <script> build from a loopback server with cross-origin isolation (COOP/COEP), so
// performance.now() has 5 µs resolution instead of 100 µs; the same server stands in for the ingest.
// Prints the median and p99 per call (5 µs clock) and the long tasks (> 50 ms) seen during and after the burst.
// With BENCH_JSON_OUT=<file> it also writes the figures (and the bundle sizes, gzip level 9) as JSON rows.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';

const CALLS = 10_000;
const BUDGET = { medianUs: 10, p99Us: 100, longTaskMs: 50, iifeGzipB: 8000, snippetGzipB: 600 };
const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('Chromium not found: install Debian\'s "chromium" package');
const iife = readFileSync(new URL('../dist/eventline.iife.js', import.meta.url), 'utf8');

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Cross-Origin-Resource-Policy': 'cross-origin' };
const server = createServer((req, res) => {
  if (req.url === '/sdk.js') return res.writeHead(200, { 'content-type': 'text/javascript', ...isolation }).end(iife);
  if (req.url?.startsWith('/v1/batch')) {
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    req.resume();
    return req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', ...cors }).end('{"results":[]}'));
  }
  res.writeHead(200, { 'content-type': 'text/html', ...isolation }).end('<!doctype html><script src="/sdk.js"></script><p>bench</p>');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(origin);
  const result = await page.evaluate(async ({ calls, endpoint }) => {
    const longTasks = [];
    new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    const api = window.eventline;
    api.init({ writeKey: 'bench', endpoint, maxQueue: calls * 2, maxQueueBytes: 64_000_000, autoPage: false });
    await api.getDeviceId(); // storage opened: measure the steady state, not IndexedDB's first open
    // The burst runs as 100 tasks of 100 calls (a page's event handlers, not one 10,000-call loop):
    // a long task seen meanwhile is work the SDK itself blocked the page with.
    const times = new Float64Array(calls);
    const start = performance.now();
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      api.track('af_purchase', { af_revenue: i / 100, af_currency: 'EUR', af_content_id: `sku-${i % 50}`, i });
      times[i] = performance.now() - t0;
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 0));
    }
    const total = performance.now() - start;
    const slow = [...times.keys()].filter((i) => times[i] > 0.1);
    await new Promise((r) => setTimeout(r, 50)); // long-task entries are delivered asynchronously
    const duringBurst = longTasks.length;
    await api.flush(); // let persistence and sending run, to see whether they block the page
    await new Promise((r) => setTimeout(r, 1000));
    times.sort();
    const q = (p) => times[Math.min(calls - 1, Math.floor(p * calls))] * 1000;
    return { slowFirst100: slow.filter((i) => i < 100).length, slow: slow.length, isolated: crossOriginIsolated, medianUs: q(0.5), p99Us: q(0.99), maxUs: times[calls - 1] * 1000, wallUsPerCall: (total / calls) * 1000, longTasksDuringBurst: duringBurst, longTasksAfter: longTasks.slice(duringBurst) };
  }, { calls: CALLS, endpoint: origin });
  const fmt = (n) => n.toFixed(1);
  console.log(`track() × ${CALLS} in Chromium (${result.isolated ? '5 µs' : '100 µs'} clock)`);
  console.log(`  median ${fmt(result.medianUs)} µs (budget ${BUDGET.medianUs})   p99 ${fmt(result.p99Us)} µs (budget ${BUDGET.p99Us})   max ${fmt(result.maxUs)} µs   wall clock ${fmt(result.wallUsPerCall)} µs per call incl. the SDK's own tasks between chunks`);
  console.log(`  calls over 100 µs: ${result.slow} (${result.slowFirst100} of them among the first 100: warm-up before the JIT)`);
  console.log(`  long tasks (> 50 ms) during the burst: ${result.longTasksDuringBurst}; after it (persisting + sending): ${result.longTasksAfter.map((d) => `${Math.round(d)} ms`).join(', ') || 'none'}`);
  const over = [
    result.medianUs > BUDGET.medianUs && 'median',
    result.p99Us > BUDGET.p99Us && 'p99',
    result.longTasksDuringBurst > 0 && 'long task during the burst',
  ].filter(Boolean);
  if (process.env.BENCH_JSON_OUT) writeJson(process.env.BENCH_JSON_OUT, result);
  if (over.length > 0) {
    console.error(`over budget: ${over.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  server.close();
}

/** The rows for the repository's bench table: measured values only, each with its goal. */
function writeJson(file, result) {
  const gzipBytes = (name) => gzipSync(readFileSync(new URL(`../dist/${name}`, import.meta.url)), { level: 9 }).length;
  const row = (figure, value, unit, goal, met) => ({ figure, value: Math.round(value * 10) / 10, unit, goal, met });
  const iife = gzipBytes('eventline.iife.js');
  const snippet = gzipBytes('snippet.min.js');
  const rows = [
    row('script-tag SDK (IIFE) min+gzip', iife, 'B', `≤ ${BUDGET.iifeGzipB} B`, iife <= BUDGET.iifeGzipB),
    row('snippet min+gzip', snippet, 'B', `≤ ${BUDGET.snippetGzipB} B`, snippet <= BUDGET.snippetGzipB),
    row(`track() median over ${CALLS} calls (Chromium)`, result.medianUs, 'µs', `≤ ${BUDGET.medianUs} µs`, result.medianUs <= BUDGET.medianUs),
    row(`track() p99 over ${CALLS} calls (Chromium)`, result.p99Us, 'µs', `≤ ${BUDGET.p99Us} µs`, result.p99Us <= BUDGET.p99Us),
    row('long tasks (> 50 ms) during the track() burst', result.longTasksDuringBurst, 'count', '0', result.longTasksDuringBurst === 0),
  ];
  writeFileSync(file, `${JSON.stringify({ package: '@eventline/sdk', rows }, null, 2)}\n`);
  console.log(`  figures written to ${file}`);
}
