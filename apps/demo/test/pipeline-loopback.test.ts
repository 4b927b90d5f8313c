import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningAddresses } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../src';

/** The shell's HOST / METRICS_HOST (as in `HOST=0.0.0.0 npm run demo`): the services must not pick them up. */
const SHELL = { HOST: '0.0.0.0', METRICS_HOST: '0.0.0.0' };
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
