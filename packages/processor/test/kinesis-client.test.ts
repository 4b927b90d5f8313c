import { GetRecordsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisClientConfig } from '../src/consumer/kinesis-client';
import { startSilentServer } from './fixtures/silent-server';

describe('kinesis client', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(() => silent.stop());

  it('fails a call the server never answers instead of waiting for good', async () => {
    const config = kinesisClientConfig({ endpoint: silent.url, region: 'us-east-1', dummyCredentials: true, idleTimeoutMs: 200 });
    const client = new KinesisClient({ ...config, maxAttempts: 1 });
    try {
      const started = performance.now();
      await expect(client.send(new GetRecordsCommand({ ShardIterator: 'x' }))).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      client.destroy();
    }
  });
});
