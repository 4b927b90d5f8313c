import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ensureStreams, KINESIS_ENGINES, readStream, recordJson, startKinesis, startKinesisFaultProxy, waitFor, type KinesisEmulator, type KinesisFaultProxy } from '@eventline/devstack';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, createKinesisClient, createKinesisWriter, parseWriteKeys, type BatchResponse, type KinesisWriterOptions } from '../src';
import { batch, event, post, WRITE_KEY } from './helpers';

const FAST: KinesisWriterOptions = { lingerMs: 2, budgetMs: 3000, baseDelayMs: 10, maxDelayMs: 100, breakerFailures: 3, breakerCooldownMs: 500 };

describe.each(KINESIS_ENGINES)('ingest through a fault-injecting proxy to %s', (engine) => {
  let kinesis: KinesisEmulator;
  let proxy: KinesisFaultProxy;
  let direct: KinesisClient;
  const clients: KinesisClient[] = [];
  let stream = 0;
  let name = '';

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, Array.from({ length: 10 }, (_, i) => [{ name: `faults-${i + 1}`, shards: 2 }, { name: `faults-${i + 1}-bad`, shards: 1 }]).flat());
    proxy = await startKinesisFaultProxy(kinesis.endpoint);
    direct = createKinesisClient({ endpoint: kinesis.endpoint, region: 'us-east-1' });
  });
  afterAll(async () => {
    for (const c of [direct, ...clients]) c?.destroy();
    await proxy?.stop();
    await kinesis?.stop();
  });
  beforeEach(() => {
    proxy.plan = {};
    name = `faults-${++stream}`;
  });

  function ingest(options: KinesisWriterOptions = FAST) {
    const client = createKinesisClient({ endpoint: proxy.endpoint, region: 'us-east-1' });
    clients.push(client);
    const options_ = { streamName: name, badRowsStreamName: `${name}-bad`, writeKeys: parseWriteKeys(`${WRITE_KEY}=shop`), maxBodyBytes: 1 << 20, maxEventBytes: 8192 };
    return createApp({ writer: createKinesisWriter(client, options), options: options_ });
  }

  it('retries only the entries Kinesis failed; every event lands once, in order per device', async () => {
    // Shard-like throttling on every attempt: once an entry of a key fails in a call, its later entries
    // in that call fail too (a key's retried records share a call; inside one call Kinesis' own order is
    // the documented limit). Across calls the order is the writer's: a later record sent in another call
    // while an earlier one waits for its retry would land first.
    const hot = new Map<number, Set<string>>();
    proxy.plan.failEntry = ({ partitionKey, seen, call }) => {
      const keys = hot.get(call) ?? new Set<string>();
      hot.set(call, keys);
      const fail = keys.has(partitionKey) || (seen === 1 ? Math.random() < 0.3 : seen < 4 && Math.random() < 0.5);
      if (!fail) return undefined;
      keys.add(partitionKey);
      return Math.random() < 0.5 ? 'ProvisionedThroughputExceededException' : 'InternalFailure';
    };
    // A generous budget: this test is about which entries are retried and their order, not about time
    // (kinesis-local slows down under load, and CI runs packages side by side).
    const app = ingest({ ...FAST, budgetMs: 30_000 });
    const devices = ['d1', 'd2', 'd3', 'd4'];
    const sent = devices.flatMap((d) => Array.from({ length: 15 }, (_, seq) => event({ anonymous_id: d, seq })));
    const answers = await Promise.all(
      [0, 1, 2].map(async (part) => app.request('/v1/batch', post(batch(sent.filter((e) => e.seq % 3 === part))))),
    );
    for (const res of answers) expect(((await res.json()) as BatchResponse).accepted).toBe(20);
    expect(proxy.stats.failedEntries).toBeGreaterThan(0);
    const stored = (await readStream(direct, name)).map(recordJson);
    expect(stored.map((e) => e.event_id).sort()).toEqual(sent.map((e) => e.event_id).sort());
    for (const d of devices) {
      const seqs = stored.filter((e) => e.anonymous_id === d).map((e) => e.seq as number);
      // Requests raced each other, so only the per-device order inside each request is promised.
      for (const part of [0, 1, 2]) expect(seqs.filter((s) => s % 3 === part)).toEqual([...Array(5).keys()].map((i) => i * 3 + part));
    }
  });

  it("a throttled 500-event batch of one device is retried in one call, not one call per event", async () => {
    const callsBefore = proxy.stats.calls.PutRecords ?? 0;
    const failedBefore = proxy.stats.failedEntries;
    proxy.plan.failEntry = ({ call }) => (call === callsBefore + 1 ? 'ProvisionedThroughputExceededException' : undefined);
    const sent = Array.from({ length: 500 }, (_, seq) => event({ anonymous_id: 'busy-device', seq }));
    const res = await ingest({ ...FAST, budgetMs: 30_000 }).request('/v1/batch', post(batch(sent)));
    expect(((await res.json()) as BatchResponse).accepted).toBe(500);
    expect(proxy.stats.failedEntries - failedBefore).toBe(500);
    expect((proxy.stats.calls.PutRecords ?? 0) - callsBefore).toBe(2);
    expect((await readStream(direct, name)).map((r) => recordJson(r).seq)).toEqual(sent.map((e) => e.seq));
  });

  it('answers retry for entries still failing when the budget is spent, and 503 + Retry-After when none landed', async () => {
    proxy.plan.failEntry = ({ partitionKey }) => (partitionKey === 'stuck' ? 'ProvisionedThroughputExceededException' : undefined);
    // Long enough for a slow emulator under load to take 'ok'; 'stuck' fails until the budget ends either way.
    const app = ingest({ ...FAST, budgetMs: 2_000 });
    const res = await app.request('/v1/batch', post(batch([event({ anonymous_id: 'ok' }), event({ anonymous_id: 'stuck' })])));
    expect(res.status).toBe(200);
    expect(((await res.json()) as BatchResponse).results.map((r) => r.status)).toEqual(['accepted', 'retry']);
    const none = await app.request('/v1/batch', post(batch([event({ anonymous_id: 'stuck' })])));
    expect(none.status).toBe(503);
    expect(Number(none.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await readStream(direct, name)).map((r) => recordJson(r).anonymous_id)).toEqual(['ok']);
  });

  it('still answers 200 through added latency within the budget, and retry when latency outlasts it', async () => {
    proxy.plan.latencyMs = 200;
    expect((await ingest().request('/v1/batch', post(batch([event()])))).status).toBe(200);
    proxy.plan.latencyMs = 1500;
    const slow = ingest({ ...FAST, budgetMs: 400 });
    expect((await slow.request('/v1/batch', post(batch([event()])))).status).toBe(503);
    // The readiness probe has the same budget: a stream that answers only after 1.5 s is not ready.
    const ready = await slow.request('/readyz');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('queue_unavailable');
  });

  it('in an outage: 503 + Retry-After, the circuit opens (no more calls, /readyz 503), then recovers', async () => {
    proxy.plan.outage = 'refuse';
    const app = ingest();
    for (let i = 0; i < 2; i++) {
      const res = await app.request('/v1/batch', post(batch([event()])));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
    }
    expect((await app.request('/readyz')).status).toBe(503);
    const callsWhileOpen = proxy.stats.calls.PutRecords ?? 0;
    const refused = await app.request('/v1/batch', post(batch([event()])));
    expect(refused.status).toBe(503);
    expect(proxy.stats.calls.PutRecords ?? 0).toBe(callsWhileOpen);

    proxy.plan.outage = undefined;
    await waitFor('the circuit to let a probe through', async () => (await app.request('/readyz')).status === 200, 10_000, 50);
    const back = await app.request('/v1/batch', post(batch([event({ anonymous_id: 'after-outage' })])));
    expect(back.status).toBe(200);
    expect((await readStream(direct, name)).map((r) => recordJson(r).anonymous_id)).toEqual(['after-outage']);
  });

  it('half-open: one request is the probe, the others get 503 + Retry-After before it returns', async () => {
    proxy.plan.outage = 'refuse';
    const app = ingest();
    const circuitOpen = async () => (await (await app.request('/metrics')).text()).match(/^eventline_ingest_writer_circuit_open 1$/m) !== null;
    while (!(await circuitOpen())) expect((await app.request('/v1/batch', post(batch([event()])))).status).toBe(503);
    proxy.plan.outage = undefined;
    await waitFor('the cool-down to end', async () => (await app.request('/readyz')).status === 200, 10_000, 50);
    // The probe is held in the proxy, so the other requests can only have been answered without a call.
    proxy.plan.latencyMs = 500;
    const callsBefore = proxy.stats.calls.PutRecords ?? 0;
    const order: string[] = [];
    const answers = await Promise.all(
      ['probe', 'b', 'c', 'd'].map(async (device) => {
        const res = await app.request('/v1/batch', post(batch([event({ anonymous_id: device })])));
        order.push(device);
        return { device, status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as BatchResponse };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 503, 503, 503]);
    for (const refused of answers.slice(1)) {
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({ accepted: 0, retry: 1 });
    }
    expect(order.at(-1)).toBe('probe');
    expect((proxy.stats.calls.PutRecords ?? 0) - callsBefore).toBe(1);
    expect((await readStream(direct, name)).map((r) => recordJson(r).anonymous_id)).toEqual(['probe']);
  });

  it('/readyz: concurrent and repeated checks share one DescribeStreamSummary call (AWS allows 20/s per account)', async () => {
    const app = ingest();
    const before = proxy.stats.calls.DescribeStreamSummary ?? 0;
    const statuses = await Promise.all(Array.from({ length: 100 }, async () => (await app.request('/readyz')).status));
    for (let i = 0; i < 10; i++) statuses.push((await app.request('/readyz')).status);
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect((proxy.stats.calls.DescribeStreamSummary ?? 0) - before).toBe(1);
  });

  it("/readyz: DescribeStreamSummary's LimitExceededException means the stream is there (ready); a missing stream is not", async () => {
    proxy.plan.failCall = (action) => (action === 'DescribeStreamSummary' ? { status: 400, type: 'LimitExceededException' } : undefined);
    expect((await ingest().request('/readyz')).status).toBe(200);
    proxy.plan.failCall = (action) => (action === 'DescribeStreamSummary' ? { status: 400, type: 'ResourceNotFoundException' } : undefined);
    expect((await ingest().request('/readyz')).status).toBe(503);
  });

  it('an emulator answering 500 to every call is an outage too', async () => {
    proxy.plan.outage = 'error';
    const res = await ingest().request('/v1/batch', post(batch([event()])));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ retry: 1, accepted: 0 });
  });

  it('with the bad-rows stream down, a rejected event is answered retry (not lost), and rejected once it can be stored', async () => {
    // Bad rows are the only records carrying `error_type`: fail exactly those, as a bad-rows stream refusing writes would.
    proxy.plan.failEntry = ({ data }) => (data.includes('"error_type"') ? 'InternalFailure' : undefined);
    const app = ingest({ ...FAST, budgetMs: 1_000 });
    const invalid = event({ anonymous_id: 'bad', seq: -1 });
    const res = await app.request('/v1/batch', post(batch([event({ anonymous_id: 'good' }), invalid])));
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchResponse;
    expect(body).toMatchObject({ accepted: 1, rejected: 0, retry: 1 });
    expect(body.results[1]).toEqual({ event_id: invalid.event_id, status: 'retry', code: 'queue_unavailable' });
    expect((await readStream(direct, name)).map((r) => recordJson(r).anonymous_id)).toEqual(['good']);
    // The client resends it once the stream is back: now it is rejected, its bad row stored.
    proxy.plan = {};
    const again = (await (await app.request('/v1/batch', post(batch([invalid])))).json()) as BatchResponse;
    expect(again).toMatchObject({ accepted: 0, rejected: 1, retry: 0 });
    const badRows = (await readStream(direct, `${name}-bad`)).map(recordJson);
    expect(badRows).toHaveLength(1);
    expect(JSON.parse(badRows[0]!.payload as string)).toMatchObject({ event_id: invalid.event_id });
  });
});
