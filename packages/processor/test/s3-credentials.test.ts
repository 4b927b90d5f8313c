import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readDeliveryEnv } from '../src/config-delivery';
import { wireDelivery } from '../src/wiring';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/**
 * A loopback S3 endpoint that answers every PUT with 200 and keeps the headers it was sent: the test reads which key signed.
 * A GET (the lake-format marker, read at start) finds nothing.
 */
const seen: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
  seen.push(req.headers);
  req.resume();
  req.on('end', () => res.writeHead(req.method === 'GET' ? 404 : 200).end());
});
let endpoint = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  vi.unstubAllEnvs();
  seen.length = 0;
});

/** The access key id the S3 sink signed its PutObject with (SigV4 `Credential=<key>/…`). */
async function signingKey(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const problems: string[] = [];
  const delivery = readDeliveryEnv({ S3_BUCKET: 'lake', S3_ENDPOINT: endpoint, ...env }, problems);
  expect(problems).toEqual([]);
  const wired = await wireDelivery(delivery, await dirs.make(), 'us-east-1', () => undefined);
  try {
    await wired.sink.write('events/x.ndjson.gz', new Uint8Array([1, 2, 3]));
  } finally {
    await wired.close();
  }
  return /Credential=([^/]+)\//.exec(seen.at(-1)?.authorization ?? '')?.[1];
}

describe('S3_ENDPOINT credentials', () => {
  it("signs with the caller's keys when AWS_ACCESS_KEY_ID is set (MinIO and other S3-compatible stores)", async () => {
    // The SDK's default chain reads the keys from the process environment.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'minio-access-key');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'minio-secret-key');
    expect(await signingKey({ AWS_ACCESS_KEY_ID: 'minio-access-key' })).toBe('minio-access-key');
  });

  it('uses dummy keys for an emulator when no AWS_ACCESS_KEY_ID is set', async () => {
    expect(await signingKey({})).toBe('S3RVER');
  });
});
