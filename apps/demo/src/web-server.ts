import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { runQuery } from '@eventline/processor';
import { Hono } from 'hono';
import { dashboardRoutes } from './dashboard/route';
import { listenOnLoopback } from './web-port';
import { sqlRoutes } from './dashboard/sql-route';
import type { Backlog } from './backlog';
import { pipelineStatusRoutes } from './pipeline-status';

export interface WebOptions {
  port: number;
  ingestUrl: string;
  writeKey: string;
  lakeDir: string;
  /** The processor's /metrics: its lag and rows delivered in the pipeline view. */
  processorMetricsUrl?: string;
  /** What earlier runs left unread and the processor read at start (the pipeline's `backlog`): kept out of the accounting. */
  backlog?: Backlog;
  /** The processor's PostgreSQL table, when the demo loads one: counted in the pipeline view. */
  database?: { url: string; table: string };
}

const require = createRequire(import.meta.url);
const webDir = new URL('../web/', import.meta.url);
const pageFile = new URL('index.html', webDir);
/** Files of web/ that the pages load, with their types; nothing else is served from disk. */
const STATIC_FILES: Record<string, string> = {
  'demo.css': 'text/css',
  'dashboard.js': 'text/javascript',
  'shop.js': 'text/javascript',
  'offline-switch.js': 'text/javascript',
};

/** The demo page, the SDK's script-tag build, and a small read-only view of the lake. */
export function createWebApp(options: Omit<WebOptions, 'port'>) {
  const app = new Hono();
  const dashboard = dashboardRoutes(options.lakeDir);
  const sqlBox = sqlRoutes(options.lakeDir);
  app.get('/', async (c) => {
    const snippet = (await readFile(require.resolve('@eventline/sdk/snippet.min.js'), 'utf8')).replace('SDK_URL', '/sdk/eventline.iife.js');
    return c.html((await readFile(pageFile, 'utf8')).replace('/*EVENTLINE_SNIPPET*/', snippet.trim()));
  });
  app.get('/dashboard', async (c) => c.html(await readFile(new URL('dashboard.html', webDir), 'utf8')));
  app.get('/static/:file', async (c) => {
    const file = c.req.param('file');
    const type = STATIC_FILES[file];
    if (!type) return c.notFound();
    return c.body(await readFile(new URL(file, webDir), 'utf8'), 200, { 'content-type': type });
  });
  app.get('/vendor/chart.umd.min.js', async (c) => {
    // chart.js exports no path to its UMD build; it sits beside the CJS entry in dist/.
    const file = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
    return c.body(await readFile(file, 'utf8'), 200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' });
  });
  app.route('/', dashboard.app);
  app.route('/', sqlBox.app);
  const status = pipelineStatusRoutes({
    ingestUrl: options.ingestUrl,
    lakeDir: options.lakeDir,
    ...(options.processorMetricsUrl ? { processorMetricsUrl: options.processorMetricsUrl } : {}),
    ...(options.backlog ? { backlog: options.backlog } : {}),
    database: options.database,
  });
  app.route('/', status.app);
  app.onError((error, c) => c.json({ error: error instanceof Error ? error.message : String(error) }, 500));
  app.get('/config.js', (c) => {
    const config = { writeKey: options.writeKey, endpoint: options.ingestUrl };
    return c.body(`window.EVENTLINE_DEMO = ${JSON.stringify(config)};\n`, 200, { 'content-type': 'text/javascript' });
  });
  app.get('/sdk/eventline.iife.js', async (c) => {
    const file = require.resolve('@eventline/sdk/eventline.iife.js');
    return c.body(await readFile(file, 'utf8'), 200, { 'content-type': 'text/javascript', 'cache-control': 'no-cache' });
  });
  app.get('/api/lake', async (c) => {
    try {
      const rows = await runQuery(
        options.lakeDir,
        `select count(*) as events, count(distinct anonymous_id) as devices, max(received_at) as last_received_at from events`,
      );
      const recent = await runQuery(options.lakeDir, `select event_id, event, received_at from events order by received_at desc limit 5`);
      return c.json({ ...rows[0], recent });
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 500);
    }
  });
  return Object.assign(app, {
    closeLake: () => {
      dashboard.close();
      sqlBox.close();
      void status.close();
    },
  });
}

/** The web app on 127.0.0.1:`options.port` (0: a free one); the demo itself reserves its port first (web-port.ts). */
export async function startWebServer(options: WebOptions): Promise<{ url: string; server: Server }> {
  return serveWebApp(await listenOnLoopback(options.port), options);
}

/** Serve the web app on a server already listening (web-port.ts reserved it before the pipeline started). */
export function serveWebApp(server: Server, options: Omit<WebOptions, 'port'>): { url: string; server: Server } {
  const app = createWebApp(options);
  const listener = getRequestListener(app.fetch);
  server.on('request', (request, response) => void listener(request, response));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
