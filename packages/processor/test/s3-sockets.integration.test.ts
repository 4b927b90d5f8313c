import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startS3, type S3Emulator } from '@eventline/devstack';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3_MAX_SOCKETS, s3ClientConfig } from '../src/sinks/s3-client';
import { createS3Sink } from '../src/sinks/s3-sink';

/** A TCP relay to the S3 emulator that counts the connections the client opens. */
async function countingRelay(target: string): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const upstream = new URL(target);
  let connections = 0;
  const server: Server = createServer((client) => {
    connections += 1;
    const to = connect(Number(upstream.port), upstream.hostname);
    client.pipe(to).pipe(client);
    client.on('error', () => to.destroy());
    to.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('S3 client connections', () => {
  let s3: S3Emulator;
  beforeAll(async () => {
    s3 = await startS3({ buckets: ['lake'] });
  }, 60_000);
  afterAll(() => s3?.stop());

  it('many uploads at once share at most S3_MAX_SOCKETS connections instead of opening one each', { timeout: 60_000 }, async () => {
    const relay = await countingRelay(s3.endpoint);
    const client = new S3Client(s3ClientConfig({ endpoint: relay.url, region: 'us-east-1', dummyCredentials: true }));
    const sink = createS3Sink({ client, bucket: 'lake' });
    const files = 3 * S3_MAX_SOCKETS;
    try {
      await Promise.all(Array.from({ length: files }, (_, i) => sink.write(`sockets/f${i}.ndjson.gz`, new Uint8Array(64 * 1024))));
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'sockets/' }));
      expect(listed.KeyCount).toBe(files);
      expect(relay.connections()).toBeLessThanOrEqual(S3_MAX_SOCKETS);
    } finally {
      client.destroy();
      await relay.close();
    }
  });
});
