import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KINESIS_ENGINES } from '@eventline/devstack';
import { runQuery } from '@eventline/processor';
import { createEventline } from '@eventline/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp, DEMO_APP_ID, DEMO_WRITE_KEY, seedShoppers, startPipeline, type Pipeline } from '../src';
import type { DashboardData } from '../src/dashboard/route';
import { waitForLake } from './lake';

const repoRoot = new URL('../../../', import.meta.url).pathname;

describe.each(KINESIS_ENGINES)('SDK → ingest → %s → processor → lake → DuckDB', (engine) => {
  let pipeline: Pipeline;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), `eventline-e2e-${engine}-`));
    pipeline = await startPipeline({ dataDir, engine, bufferMaxMs: 1000 });
  }, 90_000);
  afterAll(async () => {
    await pipeline?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('delivers exactly the events the SDK sent, once each, queryable with SQL', async () => {
    const sdk = createEventline({ writeKey: DEMO_WRITE_KEY, endpoint: pipeline.ingestUrl, flushAt: 1000, flushIntervalMs: 60_000 });
    const accepted: string[] = [];
    const problems: string[] = [];
    sdk.on('sent', (n) => accepted.push(...n.acceptedIds));
    sdk.on('drop', (n) => problems.push(`drop: ${n.message}`));
    sdk.on('error', (n) => problems.push(`error: ${n.message}`));
    for (let i = 0; i < 40; i++) {
      sdk.track(i % 4 === 0 ? 'af_purchase' : 'af_content_view', { af_revenue: i, af_currency: 'EUR', n: i });
    }
    await sdk.flush();
    await sdk.close();
    expect(problems).toEqual([]);
    expect(accepted).toHaveLength(40);
    const deviceId = await sdk.getDeviceId();

    const rows = await waitForLake<{ event_id: string }>(
      pipeline.lakeDir,
      `select event_id from events where anonymous_id = '${deviceId}'`,
      (r) => r.length >= 40,
    );
    expect(rows.map((r) => r.event_id).sort()).toEqual([...accepted].sort());

    const [summary] = await runQuery(
      pipeline.lakeDir,
      `select count(*) as n, count(distinct event_id) as distinct_ids, min(app_id) as app, sum(case when event = 'af_purchase' then 1 else 0 end) as purchases
       from events where anonymous_id = '${deviceId}'`,
    );
    expect(summary).toEqual({ n: 40, distinct_ids: 40, app: DEMO_APP_ID, purchases: 10 });
  });

  it('answers `npm run query` from the files the processor wrote', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'query', '--', 'select count(distinct event_id) as delivered from events'],
      { cwd: repoRoot, env: { ...process.env, LAKE_DIR: pipeline.lakeDir } },
    );
    expect(stdout).toMatch(/delivered/);
    expect(stdout).toMatch(/\b40\b/);
  });

  it('shows on the dashboard exactly what direct DuckDB queries over the lake say', async () => {
    // Counted before seeding: the processor delivers while the shoppers are still being sent.
    const [{ total }] = (await runQuery(pipeline.lakeDir, 'select count(*) as total from events')) as [{ total: number }];
    const seeded = await seedShoppers({ ingestUrl: pipeline.ingestUrl, writeKey: DEMO_WRITE_KEY, shoppers: 12, seed: 7 });
    expect(seeded.problems).toEqual([]);
    await waitForLake<{ n: number }>(pipeline.lakeDir, 'select count(*) as n from events', (r) => r[0]!.n >= total + seeded.accepted);

    const web = createWebApp({ ingestUrl: pipeline.ingestUrl, writeKey: DEMO_WRITE_KEY, lakeDir: pipeline.lakeDir });
    const dashboard = (await (await web.request('/api/dashboard')).json()) as DashboardData;
    web.closeLake();

    const q = async (sql: string) => (await runQuery(pipeline.lakeDir, sql))[0]!;
    expect(dashboard.totals[0]).toEqual(
      await q(`select count(*) as events, count(distinct anonymous_id) as devices, count(distinct session_id) as sessions,
                      count(*) filter (where event = 'af_purchase') as purchases from events`),
    );
    // Seeded shoppers view, then add, then buy, in that order; so the funnel's steps are simple counts here.
    const viewers = await q(`select count(distinct anonymous_id) as n from events where event = 'af_content_view'`);
    const adders = await q(`select count(distinct anonymous_id) as n from events where event = 'af_add_to_cart'`);
    const buyers = await q(`select count(distinct anonymous_id) as n from events where event = 'af_purchase'
                            and anonymous_id in (select anonymous_id from events where event = 'af_add_to_cart')`);
    expect(dashboard.funnel.map((s) => s.devices)).toEqual([viewers.n, adders.n, buyers.n]);
    expect(buyers.n).toBeGreaterThan(0);
    // Straight from the JSON properties, not the flattened columns the dashboard reads.
    const eur = await q(`select round(sum((properties->>'af_revenue')::double), 2) as revenue from events
                         where event = 'af_purchase' and (properties->>'af_currency') = 'EUR'`);
    expect(dashboard.revenueByCurrency.find((r) => r.currency === 'EUR')?.revenue).toBe(eur.revenue);
    const sources = dashboard.attribution.map((r) => r.source);
    expect(sources).toEqual(expect.arrayContaining(['google', 'facebook', 'newsletter']));
    // The seed's first touches (envelope v2) land in their own columns, and differ from the last touch for some devices.
    expect(dashboard.firstTouch.map((r) => r.source)).toEqual(expect.arrayContaining(['google', 'facebook', 'newsletter', '(direct)']));
    const switched = await q(`select count(distinct anonymous_id) as n from events where first_touch_source is distinct from campaign_source`);
    expect(switched.n).toBeGreaterThan(0);
  });

  it('counts a purchase without af_currency on the revenue chart, as "(no currency)"', async () => {
    const sdk = createEventline({ writeKey: DEMO_WRITE_KEY, endpoint: pipeline.ingestUrl, flushAt: 1000, flushIntervalMs: 60_000 });
    const accepted: string[] = [];
    sdk.on('sent', (n) => accepted.push(...n.acceptedIds));
    sdk.track('af_purchase', { af_revenue: 12.5 });
    sdk.track('af_purchase', { af_revenue: 7.25 });
    await sdk.flush();
    await sdk.close();
    expect(accepted).toHaveLength(2);
    const deviceId = await sdk.getDeviceId();
    await waitForLake(pipeline.lakeDir, `select event_id from events where anonymous_id = '${deviceId}'`, (r) => r.length >= 2);

    const web = createWebApp({ ingestUrl: pipeline.ingestUrl, writeKey: DEMO_WRITE_KEY, lakeDir: pipeline.lakeDir });
    const dashboard = (await (await web.request('/api/dashboard')).json()) as DashboardData;
    web.closeLake();
    // Straight from the JSON properties: every purchase that names no currency.
    const [none] = await runQuery(
      pipeline.lakeDir,
      `select round(sum((properties->>'af_revenue')::double), 2) as revenue, count(*) as purchases from events
       where event = 'af_purchase' and (properties->>'af_currency') is null`,
    );
    expect(typeof none?.purchases).toBe('number');
    expect(dashboard.revenueByCurrency.find((r) => r.currency === '(no currency)')).toEqual({ currency: '(no currency)', ...none });
  });

  it('counts a named page view under "(page)" in the top events, not as an event of its name', async () => {
    const sdk = createEventline({ writeKey: DEMO_WRITE_KEY, endpoint: pipeline.ingestUrl, flushAt: 1000, flushIntervalMs: 60_000 });
    const accepted: string[] = [];
    sdk.on('sent', (n) => accepted.push(...n.acceptedIds));
    sdk.page('Checkout-Named-Page');
    await sdk.flush();
    await sdk.close();
    expect(accepted).toHaveLength(1);
    const deviceId = await sdk.getDeviceId();
    await waitForLake(pipeline.lakeDir, `select event_id from events where anonymous_id = '${deviceId}'`, (r) => r.length >= 1);

    const web = createWebApp({ ingestUrl: pipeline.ingestUrl, writeKey: DEMO_WRITE_KEY, lakeDir: pipeline.lakeDir });
    const dashboard = (await (await web.request('/api/dashboard')).json()) as DashboardData;
    web.closeLake();
    const [pages] = await runQuery(pipeline.lakeDir, `select count(*) as events from events where type = 'page'`);
    expect(dashboard.topEvents.map((r) => r.event)).not.toContain('Checkout-Named-Page');
    expect(dashboard.topEvents.find((r) => r.event === '(page)')?.events).toBe(pages?.events);
  });

  it("lands the ingest's rejections in bad_rows, with the field that failed", async () => {
    const response = await fetch(`${pipeline.ingestUrl}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${DEMO_WRITE_KEY}:`).toString('base64')}` },
      body: JSON.stringify({
        sent_at: new Date().toISOString(),
        events: [{ event_id: 'not-a-uuid', type: 'track', event: 'af_purchase', anonymous_id: 'dev-bad', seq: 0, client_ts: new Date().toISOString(), context: { library: { name: 'x', version: '1' } } }],
      }),
    });
    expect(response.status).toBeLessThan(500);
    const rows = await waitForLake<{ error_type: string; reason: string; app_id: string }>(
      pipeline.lakeDir,
      `select error_type, reason, app_id from bad_rows where error_type like 'ingest_%' and payload like '%dev-bad%'`,
      (r) => r.length >= 1,
    );
    expect(rows[0]?.app_id).toBe(DEMO_APP_ID);
    expect(rows[0]?.reason).toContain('event_id');
  });
});
