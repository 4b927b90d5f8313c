import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisClientConfig } from '../src/consumer/kinesis-client';
import { dynamoClientConfig } from '../src/dedupe/dynamodb-client';
import { s3ClientConfig } from '../src/sinks/s3-client';
import { createS3Sink } from '../src/sinks/s3-sink';
import { startSilentServer } from './fixtures/silent-server';

// Without the handlers' timeouts both calls hang until the test's own timeout fails it.
describe('AWS clients against an endpoint that never answers', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(() => silent.stop());

  it('the Kinesis client fails the call instead of waiting for good', async () => {
    const config = kinesisClientConfig({ endpoint: silent.url, region: 'us-east-1', dummyCredentials: true, idleTimeoutMs: 200 });
    const client = new KinesisClient({ ...config, maxAttempts: 1 });
    try {
      await expect(client.send(new GetRecordsCommand({ ShardIterator: 'x' }))).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      client.destroy();
    }
  });

  it('the DynamoDB client (the Lambda entries’ seen index) fails the call instead of waiting for good', async () => {
    const client = new DynamoDBClient({ ...dynamoClientConfig({ endpoint: silent.url, region: 'us-east-1', idleTimeoutMs: 200 }), maxAttempts: 1 });
    try {
      const read = new BatchGetItemCommand({ RequestItems: { seen: { Keys: [{ event_id: { S: 'x' } }] } } });
      await expect(client.send(read)).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      client.destroy();
    }
  });

  it('the S3 sink aborts a PutObject S3 never answers instead of holding the flush for good', async () => {
    const client = new S3Client(s3ClientConfig({ endpoint: silent.url, region: 'us-east-1', dummyCredentials: true }));
    const sink = createS3Sink({ client, bucket: 'lake', putTimeout: { baseMs: 200, bytesPerSecond: 1024 * 1024 } });
    try {
      await expect(sink.write('events/a.gz', new Uint8Array(10))).rejects.toThrow(/abort|time/i);
    } finally {
      client.destroy();
    }
  });
});
