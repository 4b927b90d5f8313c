import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ensureStreams, KINESIS_ENGINES, readStream, recordJson, emulatorKinesisClientConfig, startKinesis, type KinesisEmulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateStoredEvent } from '@eventline/schemas';
import { createApp, createKinesisWriter, parseWriteKeys, RECORD_MAX_BYTES, type BatchResponse } from '../src';
import { ISSUE_TEXT_MAX_BYTES, ISSUES_MAX_COUNT } from '../src/cap-issues';
import { basic, batch, event, gzip, post, WRITE_KEY } from './helpers';
import { NODE_ENTRY, startIngest } from './ingest-process';


const json = recordJson;

describe.each(KINESIS_ENGINES)('ingest against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let client: KinesisClient;
  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [
      { name: 'events', shards: 2 },
      { name: 'events-bad', shards: 1 },
      { name: 'bulk', shards: 2 },
      { name: 'big', shards: 1 },
      { name: 'bad-big', shards: 1 },
      { name: 'versions', shards: 1 },
      { name: 'versions-bad', shards: 1 },
    ]);
    client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await kinesis?.stop();
  });

  it('the writer packs 1,200 records into several PutRecords calls and Kinesis holds them all', async () => {
    // Three calls one after another (each key is in all of them): a generous budget, as this is about
    // packing, not time (kinesis-local takes ~1 s per call when the fuzz run shares the machine).
    const writer = createKinesisWriter(client, { budgetMs: 30_000 });
    const records = Array.from({ length: 1200 }, (_, i) => ({ data: Buffer.from(`r${i}`), partitionKey: `k${i % 7}` }));
    expect(await writer.put('bulk', records)).toEqual({ failed: [] });
    const read = (await readStream(client, 'bulk')).map((r) => Buffer.from(r.Data!).toString());
    expect(read.sort()).toEqual(records.map((r) => r.data.toString()).sort());
    await expect(writer.ping('no-such-stream')).rejects.toThrow();
  });

  it('an invalid event whose issues quote huge property names is rejected, its bad row bounded and in Kinesis', async () => {
    // Four unexpected top-level keys of 300 KB: uncapped, their issue paths made a 1.2 MB bad row, over
    // Kinesis' 1 MiB record limit, and the event was answered `retry` on every resend.
    const huge: Record<string, unknown> = { ...event({ anonymous_id: 'big-keys' }) };
    for (let i = 0; i < 4; i++) huge[`k${i}${'x'.repeat(300_000)}`] = 1;
    const app = createApp({
      writer: createKinesisWriter(client, { budgetMs: 30_000 }),
      options: { streamName: 'big', badRowsStreamName: 'bad-big', writeKeys: parseWriteKeys(`${WRITE_KEY}=shop`), maxBodyBytes: 1 << 20, maxEventBytes: 32_768 },
    });
    const res = await app.request('/v1/batch', post(gzip(batch([huge])), { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchResponse;
    expect(body).toMatchObject({ rejected: 1, retry: 0 });
    const answered = body.results[0]!;
    if (answered.status !== 'rejected') throw new Error(`expected rejected, got ${answered.status}`);
    expect(answered.issues.length).toBeGreaterThanOrEqual(4);
    expect(answered.issues.length).toBeLessThanOrEqual(ISSUES_MAX_COUNT);
    for (const issue of answered.issues) expect(Buffer.byteLength(issue.path) + Buffer.byteLength(issue.message)).toBeLessThanOrEqual(2 * ISSUE_TEXT_MAX_BYTES);
    const rows = await readStream(client, 'bad-big');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.Data!.byteLength).toBeLessThan(RECORD_MAX_BYTES);
    expect(json(rows[0]!)).toMatchObject({ error_type: 'invalid_event', issues_truncated: true, payload_truncated: true, issues: answered.issues });
  });

  it('version 1 and 2 events from clients are written to Kinesis as valid version 2 records; a newer version is a bad row', async () => {
    const campaign = { source: 'newsletter', medium: 'email' };
    const library = { name: 'test', version: '0' };
    const sent = [
      event({ schema_version: 1, anonymous_id: 'v1-odd', context: { library, first_touch: 'google' } }),
      event({ anonymous_id: 'v1-absent', context: { library, first_touch: campaign } }),
      event({ schema_version: 2, anonymous_id: 'v2', context: { library, first_touch: campaign } }),
      event({ schema_version: 3, anonymous_id: 'v3' }),
    ];
    const app = createApp({
      writer: createKinesisWriter(client, { budgetMs: 30_000 }),
      options: { streamName: 'versions', badRowsStreamName: 'versions-bad', writeKeys: parseWriteKeys(`${WRITE_KEY}=shop`), maxBodyBytes: 1 << 20, maxEventBytes: 32_768 },
    });
    const res = await app.request('/v1/batch', post(batch(sent)));
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 1, retry: 0 });
    const records = new Map((await readStream(client, 'versions')).map((r) => [r.PartitionKey, json(r)]));
    expect([...records.keys()].sort()).toEqual(['v1-absent', 'v1-odd', 'v2']);
    // What the processor checks a record against: the current stored envelope.
    for (const record of records.values()) expect(validateStoredEvent(record)).toMatchObject({ ok: true });
    for (const record of records.values()) expect(record.schema_version).toBe(2);
    expect(records.get('v1-odd')!.context).toMatchObject({ legacy_first_touch: 'google' });
    expect(records.get('v1-odd')!.context).not.toHaveProperty('first_touch');
    expect(records.get('v1-absent')!.context).toMatchObject({ first_touch: campaign });
    const badRows = (await readStream(client, 'versions-bad')).map(json);
    expect(badRows).toMatchObject([{ error_type: 'invalid_event', issues: [{ path: 'events[3].schema_version', code: 'too_big' }] }]);
    expect(JSON.parse(badRows[0]!.payload as string)).toEqual(sent[3]);
  });

  it('the Node server answers 200 only after Kinesis holds the events, and shuts down cleanly', async () => {
    const { child, url } = await startIngest({ KINESIS_ENDPOINT: kinesis.endpoint, INGEST_WRITE_KEYS: 'wk_live=shop' });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      // dev-2's event carries a client IP, which must not be stored.
      const clientIpContext = { library: { name: 'test', version: '0' }, ip: '198.51.100.23' };
      const good = [event({ anonymous_id: 'dev-1', seq: 1 }), event({ anonymous_id: 'dev-1', seq: 2 }), event({ anonymous_id: 'dev-2', context: clientIpContext })];
      const bad = event({ seq: -5 });
      const res = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: basic('wk_live'), 'content-type': 'application/json', 'x-request-id': 'chosen-by-client' },
        body: batch([...good, bad]),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as BatchResponse;
      expect(body).toMatchObject({ accepted: 3, rejected: 1, retry: 0 });

      const stored = await readStream(client, 'events');
      expect(stored.map((r) => json(r).event_id).sort()).toEqual(good.map((e) => e.event_id).sort());
      for (const r of stored) expect(r.PartitionKey).toBe(json(r).anonymous_id);
      // The ingest's own request id and the IP it saw (loopback, anonymised), never the client's.
      for (const r of stored) expect(json(r).context).toMatchObject({ server: { request_id: body.request_id, ip: '127.0.0.0' } });
      expect(body.request_id).not.toBe('chosen-by-client');
      expect(stored.map((r) => JSON.stringify(json(r))).join('')).not.toContain('198.51.100.23');
      // One device's events share a shard, in the order they were sent.
      const dev1 = stored.filter((r) => r.PartitionKey === 'dev-1').map((r) => json(r).seq);
      expect(dev1).toEqual([1, 2]);
      const badRows = (await readStream(client, 'events-bad')).map(json);
      expect(badRows).toHaveLength(1);
      expect(badRows[0]).toMatchObject({ error_type: 'invalid_event', issues: [{ path: 'events[3].seq' }] });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});

describe('Node entry configuration', () => {
  it('exits 2 with every problem listed when the environment is invalid', async () => {
    const child = spawn(process.execPath, [NODE_ENTRY], { env: { PATH: process.env.PATH, PORT: 'x' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('INGEST_WRITE_KEYS');
    expect(stderr).toContain('PORT must be an integer');
  });
});
