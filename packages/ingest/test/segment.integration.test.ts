import { once } from 'node:events';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ensureStreams, KINESIS_ENGINES, readStream, recordJson, startKinesis, startKinesisFaultProxy, stopChild, waitFor, type KinesisEmulator } from '@eventline/devstack';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient, type BatchResponse } from '../src';
import { basic, batch, event } from './helpers';
import { startIngest } from './ingest-process';

describe.each(KINESIS_ENGINES)('the Node entry against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let client: KinesisClient;
  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, ['segment', 'segment-bad', 'shutdown', 'shutdown-bad'].map((name) => ({ name, shards: 1 })));
    client = createKinesisClient({ endpoint: kinesis.endpoint, region: 'us-east-1' });
  });
  afterAll(async () => {
    client?.destroy();
    await kinesis?.stop();
  });

  it('a real Segment client (@segment/analytics-node) sends track, identify and page; Kinesis holds them', async () => {
    const env = { KINESIS_ENDPOINT: kinesis.endpoint, INGEST_WRITE_KEYS: 'seg_key=segapp', STREAM_NAME: 'segment', BAD_ROWS_STREAM_NAME: 'segment-bad' };
    const { child, url } = await startIngest(env);
    try {
      const analytics = new Analytics({ writeKey: 'seg_key', host: url, flushAt: 10, maxRetries: 1 });
      const statuses: number[] = [];
      const errors: unknown[] = [];
      analytics.on('http_response', (r) => statuses.push(r.status));
      analytics.on('error', (e) => errors.push(e));
      analytics.track({ anonymousId: 'seg-anon', event: 'Order Completed', properties: { af_revenue: 30, af_currency: 'USD' }, integrations: { Amplitude: false } });
      analytics.identify({ userId: 'seg-user', anonymousId: 'seg-anon', traits: { plan: 'pro' } });
      analytics.page({ anonymousId: 'seg-anon', name: 'Pricing', properties: { path: '/pricing' } });
      // Traits before sign-up: an identify with only anonymousId (Segment's spec allows it).
      analytics.identify({ anonymousId: 'seg-anon-2', traits: { email: 'a@b.example' } });
      await analytics.closeAndFlush({ timeout: 15_000 });
      expect(errors).toEqual([]);
      expect(statuses).toEqual([200]);
      const stored = (await readStream(client, 'segment')).map(recordJson);
      expect(stored.map((e) => [e.type, e.event ?? null, e.app_id])).toEqual([
        ['track', 'Order Completed', 'segapp'],
        ['identify', null, 'segapp'],
        ['page', 'Pricing', 'segapp'],
        ['identify', null, 'segapp'],
      ]);
      expect(stored[1]).toMatchObject({ user_id: 'seg-user', anonymous_id: 'seg-anon', traits: { plan: 'pro' } });
      expect(stored[3]).toMatchObject({ anonymous_id: 'seg-anon-2', traits: { email: 'a@b.example' } });
      expect(stored[3]!.user_id ?? null).toBeNull();
      expect(await readStream(client, 'segment-bad')).toEqual([]);
      expect(stored[0]!.context).toMatchObject({ library: { name: '@segment/analytics-node' } });
      // What the client sent that our envelope has no field for is kept, not dropped.
      expect(stored[0]!.context).toMatchObject({ segment_extra: { integrations: { Amplitude: false }, _metadata: { jsRuntime: 'node' }, messageId: expect.any(String) as string } });
    } finally {
      await stopChild(child, 5000);
    }
  });

  it('on SIGTERM it finishes the write in flight, answers it, then exits 0', async () => {
    const proxy = await startKinesisFaultProxy(kinesis.endpoint);
    const env = { KINESIS_ENDPOINT: proxy.endpoint, INGEST_WRITE_KEYS: 'k=app', STREAM_NAME: 'shutdown', BAD_ROWS_STREAM_NAME: 'shutdown-bad' };
    const { child, url, lines } = await startIngest(env);
    try {
      proxy.plan.latencyMs = 700;
      const sent = event({ anonymous_id: 'in-flight' });
      const pending = fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: basic('k') }, body: batch([sent]) });
      await waitFor('the write to reach the proxy', () => (proxy.stats.calls.PutRecords ?? 0) > 0, 10_000, 10);
      child.kill('SIGTERM');
      await waitFor('the shutdown to begin', () => lines.some((l) => l.includes('"shutting down"')), 10_000, 10);
      // No longer accepting: a new connection is refused while the write in flight goes on.
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      const res = await pending;
      expect(res.status).toBe(200);
      expect(((await res.json()) as BatchResponse).accepted).toBe(1);
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
      expect((await readStream(client, 'shutdown')).map((r) => recordJson(r).event_id)).toEqual([sent.event_id]);
    } finally {
      await stopChild(child, 5000);
      await proxy.stop();
    }
  });
});
