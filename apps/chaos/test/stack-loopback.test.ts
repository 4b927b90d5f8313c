import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningAddresses } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchRss } from '../src/rss';
import { startStack, type Stack } from '../src/stack';

/** The shell's HOST / METRICS_HOST / METRICS_PORT: the chaos services must not pick them up. */
const SHELL = { HOST: '0.0.0.0', METRICS_HOST: '0.0.0.0', METRICS_PORT: '0' };
const saved = Object.fromEntries(Object.keys(SHELL).map((k) => [k, process.env[k]]));
const dataDir = mkdtempSync(join(tmpdir(), 'eventline-chaos-loopback-'));
const rss = watchRss();
let stack: Stack;

beforeAll(async () => {
  Object.assign(process.env, SHELL);
  stack = await startStack({ dataDir, engine: 'kinesalite', bufferMaxMs: 1000, rss, onLine: () => undefined });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  rss.stop();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the chaos stack with HOST=0.0.0.0 in the shell', () => {
  it('listens on 127.0.0.1 only, and the processor serves no metrics', () => {
    expect(stack.ingestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(listeningAddresses(stack.processor.pid)).toEqual([]);
    for (const pid of [stack.ingest.pid, stack.kinesis.pid]) {
      const addresses = listeningAddresses(pid);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    }
  });
});
