import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { bundleLambda, emulatorDynamoClientConfig, invokeBundledHandler, startDynamo, startS3, type DynamoEmulator, type S3Emulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ClientConfig, type FirehoseTransformationEvent, type FirehoseTransformationResponse, type KinesisStreamEvent } from '../src';
import { createSeenTable } from './fixtures/dynamo';
import { storedEvent } from './fixtures/events';
import { awsEvent, b64 } from './fixtures/aws-events';


// What a deployment runs: `npm run bundle:lambda`'s single index.mjs, imported by a plain Node
// process in a folder with no node_modules, called with the events AWS sends.
describe('the bundled Lambda (npm run bundle:lambda)', () => {
  let s3: S3Emulator;
  let dynamo: DynamoEmulator;
  let dynamoClient: DynamoDBClient;
  let table: string;
  let dir: string;
  let bundle: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventline-processor-lambda-'));
    [s3, dynamo, bundle] = await Promise.all([
      startS3({ buckets: ['lake'] }),
      startDynamo(),
      bundleLambda({ entry: new URL('../src/lambda.ts', import.meta.url).pathname, outdir: dir }),
    ]);
    dynamoClient = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
    table = await createSeenTable(dynamoClient);
    env = {
      S3_BUCKET: 'lake',
      S3_PREFIX: 'bundled',
      S3_ENDPOINT: s3.endpoint,
      OUTPUT_FORMAT: 'parquet',
      DEDUPE_TABLE: table,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      // A Lambda always has keys in its environment; with S3_ENDPOINT they sign the S3 calls, so here s3rver's own pair.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    };
  }, 60_000);
  afterAll(async () => {
    dynamoClient?.destroy();
    await Promise.all([s3?.stop(), dynamo?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships every bundled package\'s licence next to the code', async () => {
    const notice = await readFile(join(dir, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    for (const name of ['hyparquet', 'hyparquet-writer', 'snappyjs', 'pg', 'bowser', '@aws-sdk/client-s3', '@aws-sdk/client-dynamodb']) expect(notice).toContain(`\n${name}@`);
    expect(notice).toContain('Apache License');
    expect(notice).not.toContain('@eventline/');
  });

  it('kinesisHandler claims in DynamoDB and writes Parquet and bad rows to S3', async () => {
    const event = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    const stored = storedEvent();
    event.Records[1]!.kinesis.data = b64(stored);
    expect(await invokeBundledHandler({ bundle, handlerName: 'kinesisHandler', event, env })).toEqual({ batchItemFailures: [] });
    const claim = await dynamoClient.send(new GetItemCommand({ TableName: table, Key: { event_id: { S: `${stored.app_id}/${stored.event_id}` } }, ConsistentRead: true }));
    expect(claim.Item?.seq).toEqual({ S: event.Records[1]!.kinesis.sequenceNumber });
    const client = new S3Client(s3ClientConfig({ endpoint: s3.endpoint, region: 'us-east-1', dummyCredentials: true }));
    try {
      const keys = ((await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'bundled/' }))).Contents ?? []).map((o) => o.Key ?? '');
      expect(keys.map((k) => k.replace(/\/[^/]*$/, '/')).sort()).toEqual([
        'bundled/', // the lake-format marker (parquet), written at the cold start
        'bundled/bad_rows/error_type=parse/event_date=2018-12-17/',
        `bundled/events/app_id=shop/event_date=${stored.received_at.slice(0, 10)}/hour=${stored.received_at.slice(11, 13)}/`,
      ]);
      expect(keys.find((k) => k.startsWith('bundled/events/'))).toMatch(/\.parquet$/);
    } finally {
      client.destroy();
    }
  });

  it('firehoseHandler answers every record: the AWS sample fails, an event is a row with its partition keys', async () => {
    const event = await awsEvent<FirehoseTransformationEvent>('firehose-transformation-event.json');
    const sample = event.records[0]!;
    const stored = storedEvent();
    const sequenceNumber = `${sample.kinesisRecordMetadata!.sequenceNumber.slice(0, -1)}9`;
    event.records.push({ ...sample, recordId: 'valid', data: b64(stored), kinesisRecordMetadata: { ...sample.kinesisRecordMetadata!, sequenceNumber } });
    const result = await invokeBundledHandler<FirehoseTransformationResponse>({ bundle, handlerName: 'firehoseHandler', event, env });
    expect(result.records.map((r) => [r.recordId, r.result])).toEqual([
      [sample.recordId, 'ProcessingFailed'],
      ['valid', 'Ok'],
    ]);
    const valid = result.records[1]!;
    expect(JSON.parse(Buffer.from(valid.data, 'base64').toString('utf8'))).toMatchObject({ event_id: stored.event_id });
    expect(valid.metadata?.partitionKeys.app_id).toBe('shop');
  });
});
