import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort, isAlive, emulatorS3ClientConfig, startPostgres, startS3, listeningAddresses } from '../src';

describe('startS3', () => {
  it('serves S3 on a loopback port with the bucket, round-trips bytes exactly, and stops', async () => {
    const s3 = await startS3({ buckets: ['lake'] });
    const client = new S3Client(emulatorS3ClientConfig(s3.endpoint));
    try {
      expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (const address of listeningAddresses(s3.pid)) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      const bytes = Buffer.from([0x1f, 0x8b, 0, 1, 2, 3, 255]);
      await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'a/b.bin', Body: bytes }));
      const got = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: 'a/b.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(bytes);
    } finally {
      client.destroy();
      await s3.stop();
    }
    expect(isAlive(s3.pid)).toBe(false);
  });
});

describe('startPostgres', () => {
  it('falls back to an embedded PostgreSQL when nothing answers, and stops it', async () => {
    const closedPort = await freePort();
    const server = await startPostgres({ databaseUrl: '', localUrl: `postgres://postgres@127.0.0.1:${closedPort}/test` });
    try {
      expect(server.source).toBe('embedded');
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ v: string }>('SELECT current_setting(\'server_version_num\') AS v');
        expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(160000);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('fails with the server\'s own reason when the embedded server exits early (stop() would wait forever)', async () => {
    const closedPort = await freePort();
    // A real server that starts and exits at once: PostgreSQL refuses an unknown setting.
    const started = startPostgres({
      databaseUrl: '',
      localUrl: `postgres://postgres@127.0.0.1:${closedPort}/test`,
      postgresFlags: ['-c', 'eventline_no_such_setting=1'],
    });
    await expect(started).rejects.toThrow(/did not start: the server exited early; server log: .*eventline_no_such_setting/);
  }, 120_000);
});
