import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readChildPort } from './child-port';
import { stopChild } from './process-control';

export interface StartS3Options {
  /** Buckets to create at start. */
  buckets?: string[];
  /** Keep objects here; a temp folder removed on stop when absent. */
  dataDir?: string;
  startTimeoutMs?: number;
}

export interface S3Emulator {
  endpoint: string;
  pid: number;
  /** Where s3rver keeps objects: `<dataDir>/<bucket>/<key>._S3rver_object`. */
  dataDir: string;
  stop(): Promise<void>;
}

const childDir = fileURLToPath(new URL('../dist/', import.meta.url));

/** Start s3rver 3.7.1 as a child process on a free loopback port. */
export async function startS3(options: StartS3Options = {}): Promise<S3Emulator> {
  const temp = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'eventline-s3-'));
  const child = spawn(process.execPath, [join(childDir, 's3rver-child.js')], {
    env: { ...process.env, DATA_DIR: dataDir, BUCKETS: (options.buckets ?? []).join(',') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= stopChild(child, 5_000).then(() => {
      if (temp) rmSync(dataDir, { recursive: true, force: true });
    }));
  try {
    const port = await readChildPort(child, 's3rver', options.startTimeoutMs ?? 20_000);
    return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * S3 client settings for s3rver: path-style addressing, and checksums only when required —
 * otherwise the SDK streams with aws-chunked framing that s3rver stores inside the object.
 */
export function emulatorS3ClientConfig(endpoint: string): S3ClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
  };
}
