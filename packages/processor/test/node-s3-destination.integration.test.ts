import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startS3, waitFor, type S3Emulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedEvent } from './fixtures/events';
import { nodeEntrySuite } from './fixtures/node-entry-suite';

// With the lake on S3 the ready line still printed the local LAKE_DIR (its default `.data/lake`), which
// nothing is written to; and a missing bucket's retry lines said only "The specified bucket does not exist".
describe('node entry with the lake on S3 (s3rver, kinesalite)', () => {
  const suite = nodeEntrySuite('kinesalite');
  let s3: S3Emulator;
  beforeAll(async () => {
    s3 = await startS3({ buckets: ['lake'] });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('the ready line names the S3 destination only; a missing bucket’s retry lines name it', async () => {
    const { running, ready } = await suite.start({ S3_BUCKET: 'nolake', S3_PREFIX: 'prod', S3_ENDPOINT: s3.endpoint, BUFFER_MAX_MS: '300' });
    expect(ready).toMatchObject({ event: 'ready', destination: 's3://nolake/prod/' });
    expect(ready).not.toHaveProperty('lake_dir');
    const event = storedEvent();
    await suite.withKinesis((producer) =>
      producer.send(new PutRecordsCommand({ StreamName: 'clicks', Records: [{ Data: Buffer.from(JSON.stringify(event)), PartitionKey: event.anonymous_id }] })),
    );
    const retries = (): string[] => running.stderr().split('\n').filter((l) => l.includes('"msg":"shard read or delivery failed; retrying"'));
    await waitFor('a retry line', () => retries().length > 0, 30_000);
    expect(retries()[0]).toContain('NoSuchBucket');
    expect(retries()[0]).toMatch(/S3 bucket \\"nolake\\" does not exist/);
    running.child.kill('SIGTERM');
    await running.exited;
  });
});
