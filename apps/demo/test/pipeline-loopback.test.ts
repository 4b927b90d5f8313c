import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningAddresses } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../src';

/**
 * The shell's HOST / METRICS_HOST (as in `HOST=0.0.0.0 npm run demo`), an S3 bucket and a metrics
 * switch meant for something else: the services must not pick them up. The AWS SDK switch (README) they do.
 */
const SHELL = {
  HOST: '0.0.0.0',
  METRICS_HOST: '0.0.0.0',
  S3_BUCKET: 'a-real-bucket',
  S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
  INGEST_METRICS: 'off',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const saved = Object.fromEntries(Object.keys(SHELL).map((k) => [k, process.env[k]]));
const dataDir = mkdtempSync(join(tmpdir(), 'eventline-loopback-'));
let pipeline: Pipeline;

beforeAll(async () => {
  Object.assign(process.env, SHELL);
  pipeline = await startPipeline({ dataDir });
}, 90_000);

afterAll(async () => {
  await pipeline?.stop();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the demo pipeline with HOST=0.0.0.0 in the shell', () => {
  it('still listens on 127.0.0.1 only: ingest, processor metrics and the emulator', () => {
    expect(pipeline.ingestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(pipeline.processorMetricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    for (const pid of [...pipeline.services.map((s) => s.pid), pipeline.kinesis.pid]) {
      const addresses = listeningAddresses(pid);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    }
  });
});

describe('the demo pipeline with pipeline settings in the shell', () => {
  it('starts its services with only the variables it sets and the documented ones it passes on', async () => {
    for (const pid of [...pipeline.services.map((s) => s.pid), pipeline.kinesis.pid]) {
      const names = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').map((entry) => entry.split('=')[0]);
      expect(names).not.toContain('S3_BUCKET');
      expect(names).not.toContain('S3_ENDPOINT');
      expect(names).not.toContain('INGEST_METRICS');
      expect(names).toContain('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED');
      expect(names).toContain('PATH');
    }
    expect((await fetch(`${pipeline.ingestUrl}/metrics`)).status).toBe(200); // the live view reads it
  });
});
