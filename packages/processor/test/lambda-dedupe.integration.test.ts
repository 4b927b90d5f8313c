import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { emulatorDynamoClientConfig, startDynamo, startS3, type DynamoEmulator, type S3Emulator } from '@eventline/devstack';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisEsmHandler, createS3Sink, decodeNdjsonGzip, openDynamoSeenIndex, s3ClientConfig, type Sink } from '../src';
import type { KinesisStreamEvent, KinesisStreamRecord } from '../src';
import { createSeenTable } from './fixtures/dynamo';
import { storedEvent } from './fixtures/events';

const SHARD = 'shardId-000000000006';
const FIRST_SEQ = 49590338271490256608559692540925702759324208523137515618n;

describe('Kinesis ESM handler with the DynamoDB seen index (s3rver + dynalite)', () => {
  let s3: S3Emulator;
  let dynamo: DynamoEmulator;
  let s3Client: S3Client;
  let dynamoClient: DynamoDBClient;
  let template: KinesisStreamRecord;
  beforeAll(async () => {
    [s3, dynamo] = await Promise.all([startS3({ buckets: ['lake'] }), startDynamo()]);
    s3Client = new S3Client(s3ClientConfig({ endpoint: s3.endpoint, region: 'us-east-1', dummyCredentials: true }));
    dynamoClient = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
    const sample = JSON.parse(await readFile(new URL('./fixtures/aws/kinesis-esm-event.json', import.meta.url), 'utf8')) as KinesisStreamEvent;
    template = sample.Records[1]!;
  });
  afterAll(async () => {
    s3Client?.destroy();
    dynamoClient?.destroy();
    await Promise.all([s3?.stop(), dynamo?.stop()]);
  });

  /** An ESM record of the AWS sample's shape carrying `event` at FIRST_SEQ + `offset`. */
  const esmRecord = (event: unknown, offset: number): KinesisStreamRecord => {
    const r = structuredClone(template);
    r.kinesis.sequenceNumber = String(FIRST_SEQ + BigInt(offset));
    r.eventID = `${SHARD}:${r.kinesis.sequenceNumber}`;
    r.kinesis.data = Buffer.from(JSON.stringify(event)).toString('base64');
    return r;
  };

  /** Every event_id in the lake under `prefix`, once per row. */
  const lakeEventIds = async (prefix: string): Promise<string[]> => {
    const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: `${prefix}/events/` }));
    const ids: string[] = [];
    for (const { Key } of listed.Contents ?? []) {
      const body = await (await s3Client.send(new GetObjectCommand({ Bucket: 'lake', Key }))).Body!.transformToByteArray();
      ids.push(...decodeNdjsonGzip(body).map((row) => (row as { event_id: string }).event_id));
    }
    return ids.sort();
  };

  it('leaves out a resend a later batch carries; a replayed batch keeps its own events; a retry after a failed write delivers them', async () => {
    const table = await createSeenTable(dynamoClient);
    const seen = openDynamoSeenIndex({ client: dynamoClient, table });
    const sink = createS3Sink({ client: s3Client, bucket: 'lake', prefix: 'lake' });
    const logs: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
    const handler = createKinesisEsmHandler({ sink, seen, log: (_level, msg, fields) => void logs.push({ msg, fields }) });

    const x = storedEvent({ received_at: '2026-11-25T09:00:00.000Z' });
    const y = storedEvent({ received_at: '2026-11-25T10:00:01.000Z' });
    // The SDK resends X (no answer reached it); the ingest stamps the copy with a later received_at.
    const xResent = { ...x, received_at: '2026-11-25T10:00:00.000Z' };
    const batch1 = { Records: [esmRecord(x, 0)] };
    const batch2 = { Records: [esmRecord(xResent, 1), esmRecord(y, 2)] };

    expect(await handler(batch1)).toEqual({ batchItemFailures: [] });
    expect(await handler(batch2)).toEqual({ batchItemFailures: [] });
    expect(await lakeEventIds('lake')).toEqual([x.event_id, y.event_id].sort());
    expect(logs).toEqual([{ msg: 'left out events an earlier batch delivered', fields: { shard: SHARD, count: 1, events: [`${x.app_id}/${x.event_id}`] } }]);

    // Lambda retries batch 1 (say its response was lost): its claims point at its own record.
    expect(await handler(batch1)).toEqual({ batchItemFailures: [] });
    expect(await lakeEventIds('lake')).toEqual([x.event_id, y.event_id].sort());

    // Batch 3: the claims are written, then the S3 write fails; Lambda retries from its first record.
    const z = storedEvent({ received_at: '2026-11-25T11:00:00.000Z' });
    const w = storedEvent({ received_at: '2026-11-25T11:00:01.000Z' });
    const batch3 = { Records: [esmRecord(z, 3), esmRecord(w, 4)] };
    const failing: Sink = { write: () => Promise.reject(new Error('S3 unavailable')) };
    const failed = createKinesisEsmHandler({ sink: failing, seen })(batch3);
    await expect(failed).rejects.toMatchObject({ name: 'KinesisBatchFailedError', firstSequenceNumber: batch3.Records[0]!.kinesis.sequenceNumber });
    expect(await lakeEventIds('lake')).toEqual([x.event_id, y.event_id].sort());
    expect(await handler(batch3)).toEqual({ batchItemFailures: [] });
    expect(await lakeEventIds('lake')).toEqual([x.event_id, y.event_id, z.event_id, w.event_id].sort());
  });

  it('a failed delivery releases its claims: if Lambda gives the batch up, a later resend of its events lands', async () => {
    const table = await createSeenTable(dynamoClient);
    const seen = openDynamoSeenIndex({ client: dynamoClient, table });
    const v = storedEvent({ received_at: '2026-11-25T12:00:00.000Z' });
    const failing: Sink = { write: () => Promise.reject(new Error('S3 unavailable')) };
    const logs: string[] = [];
    const gaveUp = createKinesisEsmHandler({ sink: failing, seen, log: (_level, msg) => void logs.push(msg) })({ Records: [esmRecord(v, 20)] });
    await expect(gaveUp).rejects.toMatchObject({ name: 'KinesisBatchFailedError' });
    expect(logs).toEqual(['delivery failed; Lambda retries from the first record', 'batch records reported failed; Lambda delivers them again']);
    // Lambda's retries run out (MaximumRetryAttempts); the SDK, which got no answer, sends v again.
    const handler = createKinesisEsmHandler({ sink: createS3Sink({ client: s3Client, bucket: 'lake', prefix: 'given-up' }), seen });
    expect(await handler({ Records: [esmRecord({ ...v, received_at: '2026-11-25T12:05:00.000Z' }, 21)] })).toEqual({ batchItemFailures: [] });
    expect(await lakeEventIds('given-up')).toEqual([v.event_id]);
  });

  it('dedupes on (app_id, event_id): another app\'s event with the same event_id is delivered, in the same batch and in a later one', async () => {
    const table = await createSeenTable(dynamoClient);
    const seen = openDynamoSeenIndex({ client: dynamoClient, table });
    const logs: string[] = [];
    const handler = createKinesisEsmHandler({ sink: createS3Sink({ client: s3Client, bucket: 'lake', prefix: 'two-apps' }), seen, log: (_level, msg) => void logs.push(msg) });
    const shop = storedEvent({ app_id: 'shop', received_at: '2026-11-25T09:00:00.000Z' });
    const blog = { ...shop, app_id: 'blog' };
    const news = { ...shop, app_id: 'news', received_at: '2026-11-25T09:30:00.000Z' };
    expect(await handler({ Records: [esmRecord(shop, 30), esmRecord(blog, 31)] })).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [esmRecord(news, 32)] })).toEqual({ batchItemFailures: [] });
    expect(await lakeEventIds('two-apps')).toEqual([shop.event_id, shop.event_id, shop.event_id]);
    expect(logs).toEqual([]);
    // A resend of blog's copy is still left out: the key is the pair.
    expect(await handler({ Records: [esmRecord({ ...blog, received_at: '2026-11-25T10:00:00.000Z' }, 33)] })).toEqual({ batchItemFailures: [] });
    expect(await lakeEventIds('two-apps')).toEqual([shop.event_id, shop.event_id, shop.event_id]);
    expect(logs).toEqual(['left out events an earlier batch delivered']);
  });

  it('without a seen index a resend in a later batch is kept (dedupe within a batch only)', async () => {
    const handler = createKinesisEsmHandler({ sink: createS3Sink({ client: s3Client, bucket: 'lake', prefix: 'no-index' }) });
    const x = storedEvent({ received_at: '2026-11-25T09:00:00.000Z' });
    await handler({ Records: [esmRecord(x, 10)] });
    await handler({ Records: [esmRecord(x, 11)] });
    expect(await lakeEventIds('no-index')).toEqual([x.event_id, x.event_id]);
  });
});
