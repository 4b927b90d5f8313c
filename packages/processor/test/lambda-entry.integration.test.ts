import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { emulatorDynamoClientConfig, startDynamo, startS3, type DynamoEmulator, type S3Emulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LAKE_FORMAT_MARKER, s3ClientConfig, type FirehoseTransformationEvent, type KinesisStreamEvent } from '../src';
import { firehoseHandler, kinesisHandler } from '../src/lambda';
import { createSeenTable } from './fixtures/dynamo';
import { storedEvent } from './fixtures/events';
import { awsEvent, b64 } from './fixtures/aws-events';

describe('Lambda entries configured from the environment', () => {
  let s3: S3Emulator;
  let dynamo: DynamoEmulator;
  let dynamoClient: DynamoDBClient;
  let table: string;
  const saved = { ...process.env };
  const stderr: string[] = [];
  beforeAll(async () => {
    // Before any handler runs: the entries log their start-up warnings at their first invocation.
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
    [s3, dynamo] = await Promise.all([startS3({ buckets: ['lake'] }), startDynamo()]);
    dynamoClient = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
    table = await createSeenTable(dynamoClient);
    Object.assign(process.env, {
      DEDUPE_TABLE: table,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      S3_BUCKET: 'lake',
      S3_PREFIX: 'lambda',
      S3_ENDPOINT: s3.endpoint,
      OUTPUT_FORMAT: 'parquet',
      // context.userAgent: a near miss of context.user_agent, which each entry names once, at its cold start.
      PII_HASH_FIELDS: 'user_id,context.userAgent',
      PII_SALT: 'test-salt',
      // With S3_ENDPOINT the environment's keys sign the S3 calls: s3rver's own pair, not a developer's AWS keys.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    process.env = saved;
    dynamoClient?.destroy();
    await Promise.all([s3?.stop(), dynamo?.stop()]);
  });

  it('kinesisHandler writes Parquet and bad rows to S3 and reports no failures', async () => {
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    event.Records[1]!.kinesis.data = b64(storedEvent());
    expect(await kinesisHandler(event)).toEqual({ batchItemFailures: [] });
    const client = new S3Client(s3ClientConfig({ endpoint: s3.endpoint, region: 'us-east-1', dummyCredentials: true }));
    try {
      const keys = ((await client.send(new ListObjectsV2Command({ Bucket: 'lake' }))).Contents ?? []).map((o) => o.Key ?? '').sort();
      expect(keys.map((k) => k.replace(/shardId.*\./, '*.'))).toEqual([
        `lambda/${LAKE_FORMAT_MARKER}`, // written at the cold start
        'lambda/bad_rows/error_type=parse/event_date=2018-12-17/*.gz',
        'lambda/events/app_id=shop/event_date=2026-11-25/hour=09/*.parquet',
      ]);
    } finally {
      client.destroy();
    }
  });

  it('kinesisHandler claims event_ids in DEDUPE_TABLE and leaves out a later resend', async () => {
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    const [, template] = event.Records;
    const stored = storedEvent({ received_at: '2026-11-25T12:00:00.000Z' });
    const first = structuredClone(template!);
    first.kinesis.sequenceNumber = '49590338271490256608559692540925702759324208523137515700';
    first.eventID = `shardId-000000000006:${first.kinesis.sequenceNumber}`;
    first.kinesis.data = b64(stored);
    const resend = structuredClone(first);
    resend.kinesis.sequenceNumber = '49590338271490256608559692540925702759324208523137515701';
    resend.eventID = `shardId-000000000006:${resend.kinesis.sequenceNumber}`;
    const client = new S3Client(s3ClientConfig({ endpoint: s3.endpoint, region: 'us-east-1', dummyCredentials: true }));
    const hour12 = async (): Promise<number> => ((await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'lambda/events/app_id=shop/event_date=2026-11-25/hour=12/' }))).Contents ?? []).length;
    try {
      expect(await kinesisHandler({ Records: [first] })).toEqual({ batchItemFailures: [] });
      const claim = await dynamoClient.send(new GetItemCommand({ TableName: table, Key: { event_id: { S: `${stored.app_id}/${stored.event_id}` } }, ConsistentRead: true }));
      expect(claim.Item).toMatchObject({ shard: { S: 'shardId-000000000006' }, seq: { S: first.kinesis.sequenceNumber } });
      expect(await hour12()).toBe(1);
      // A batch holding only the resend writes no events file (it would be named after the resend).
      expect(await kinesisHandler({ Records: [resend] })).toEqual({ batchItemFailures: [] });
      expect(await hour12()).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('firehoseHandler applies the PII policy from the environment and claims in DEDUPE_TABLE', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-transformation-event.json');
    const stored = storedEvent({ user_id: 'customer-7' });
    event.records[0]!.data = b64(stored);
    const [out] = (await firehoseHandler(event)).records;
    expect(out?.result).toBe('Ok');
    const row = JSON.parse(Buffer.from(out!.data, 'base64').toString('utf8')) as { user_id: string };
    expect(row.user_id).toMatch(/^[0-9a-f]{64}$/);
    const claim = await dynamoClient.send(new GetItemCommand({ TableName: table, Key: { event_id: { S: `${stored.app_id}/${stored.event_id}` } }, ConsistentRead: true }));
    expect(claim.Item).toMatchObject({ shard: { S: 'shardId-000000000000' }, seq: { S: event.records[0]!.kinesisRecordMetadata!.sequenceNumber } });
  });

  it("kinesisHandler delivers a mapping on the ingest's events-bad stream as ingest bad rows (BAD_ROWS_STREAM_NAME's default)", async () => {
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-events-bad.json');
    expect(await kinesisHandler(event)).toEqual({ batchItemFailures: [] });
    const client = new S3Client(s3ClientConfig({ endpoint: s3.endpoint, region: 'us-east-1', dummyCredentials: true }));
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'lambda/bad_rows/error_type=ingest_invalid_event/' }));
      expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([
        `lambda/bad_rows/error_type=ingest_invalid_event/event_date=2026-11-26/shardId-000000000000-${event.Records[0]!.kinesis.sequenceNumber}.ndjson.gz`,
      ]);
      const validation = await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'lambda/bad_rows/error_type=validation/' }));
      expect(validation.Contents ?? []).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('firehoseHandler answers an invocation from events-bad with Ok bad rows, not ProcessingFailed', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-events-bad.json');
    const { records } = await firehoseHandler(event);
    expect(records.map((r) => [r.result, r.metadata?.partitionKeys.error_type])).toEqual([
      ['Ok', 'ingest_invalid_event'],
      ['Ok', 'ingest_invalid_event'],
    ]);
  });

  // Last: both entries have had their cold start above.
  it('each entry names a PII near miss once, at its cold start, as the Node entry does', () => {
    const records = stderr.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const warnings = records.filter((r) => r.pii_path === 'context.userAgent');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ level: 'warn', msg: expect.stringContaining('did you mean "context.user_agent"?') as unknown });
  });
});
