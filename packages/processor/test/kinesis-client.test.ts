import { GetRecordsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisClientConfig } from '../src/consumer/kinesis-client';

describe('kinesis client', () => {
  // Accepts every call and never answers: a hung Kinesis endpoint.
  const silent: Server = createServer(() => {});
  let endpoint: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails a call the server never answers instead of waiting for good', async () => {
    const config = kinesisClientConfig({ endpoint, region: 'us-east-1', dummyCredentials: true, idleTimeoutMs: 200 });
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
