import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DEFAULT_ENGINE, emulatorKinesisClientConfig, ensureStreams, startKinesis, startKinesisFaultProxy, waitFor, type KinesisEmulator, type KinesisFaultProxy } from '@eventline/devstack';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src';
import { storedEvent } from './fixtures/events';
import { parsePrometheusText } from './fixtures/prometheus-text';
import { runEntry, type Running } from './fixtures/run-node';
import { tempDirs } from './fixtures/temp-dir';

// SHUTDOWN_DRAIN_MS: at SIGTERM the entry first reads every shard to the stream's tip, then flushes.
// Each test has a stream of its own. POLL_INTERVAL_MS is a minute: once a reader has made its first
// read it is in its pause until the stop, so records put after that are read by the drain or not at all.
const dirs = tempDirs();
let kinesis: KinesisEmulator;
let proxy: KinesisFaultProxy;
const processors: Running[] = [];

beforeAll(async () => {
  kinesis = await startKinesis({ engine: DEFAULT_ENGINE });
  proxy = await startKinesisFaultProxy(kinesis.endpoint);
});
afterAll(async () => {
  for (const p of processors) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processors.map((p) => p.exited));
  await proxy?.stop();
  await kinesis?.stop();
  await dirs.cleanup();
});

async function start(stream: string, dir: string, env: Record<string, string>): Promise<{ running: Running; metricsUrl: string }> {
  const running = runEntry('src/node.ts', [], {
    KINESIS_ENDPOINT: kinesis.endpoint,
    STREAM_NAME: stream,
    LAKE_DIR: join(dir, 'lake'),
    CHECKPOINT_FILE: join(dir, 'cp.json'),
    METRICS_PORT: '0',
    ...env,
  });
  processors.push(running);
  await waitFor('the ready line', () => running.stdout().includes('\n') || running.child.exitCode !== null);
  const ready = JSON.parse(running.stdout().split('\n')[0] ?? '') as { metrics_url: string };
  return { running, metricsUrl: ready.metrics_url };
}

/** Each shard's first read done (its lag series appears with it): the readers are in their pause. */
async function firstReadsDone(metricsUrl: string, shards: number): Promise<void> {
  await waitFor('every shard read once', async () => {
    const samples = parsePrometheusText(await (await fetch(metricsUrl)).text());
    return samples.filter((s) => s.name === 'eventline_processor_behind_latest_seconds').length === shards;
  });
}

async function put(stream: string, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, (_, i) => storedEvent({ anonymous_id: `dev-${i}` }));
  const client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  try {
    const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }));
    expect(out.FailedRecordCount).toBe(0);
  } finally {
    client.destroy();
  }
  return events.map((e) => e.event_id).sort();
}

const lakeIds = async (lakeDir: string): Promise<string[]> => (await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id')).map((r) => r.event_id as string);

describe('node entry with SHUTDOWN_DRAIN_MS', () => {
  it('reads what the stream holds at SIGTERM to its tip, delivers it and checkpoints it before exiting 0', async () => {
    await ensureStreams(kinesis.endpoint, [{ name: 'drained', shards: 2 }]);
    const dir = await dirs.make();
    const { running, metricsUrl } = await start('drained', dir, { POLL_INTERVAL_MS: '60000', BUFFER_MAX_MS: '900000', SHUTDOWN_DRAIN_MS: '10000' });
    await firstReadsDone(metricsUrl, 2);
    const sent = await put('drained', 50);

    running.child.kill('SIGTERM');
    expect(await running.exited, running.stderr()).toBe(0);
    expect(await lakeIds(join(dir, 'lake'))).toEqual(sent);
    expect(running.stderr()).toContain('"drain_ms":10000');
    expect(running.stderr()).not.toContain('stop drain deadline passed');

    // Checkpointed too: a restart on the same checkpoints finds nothing more to deliver.
    const again = await start('drained', dir, { BUFFER_MAX_MS: '100', SHUTDOWN_DRAIN_MS: '10000' });
    await firstReadsDone(again.metricsUrl, 2);
    again.running.child.kill('SIGTERM');
    expect(await again.running.exited).toBe(0);
    expect(await lakeIds(join(dir, 'lake'))).toEqual(sent);
  });

  it('stops reading at the drain deadline, delivers what it read, and leaves the rest to the next start', async () => {
    await ensureStreams(kinesis.endpoint, [{ name: 'slow', shards: 1 }]);
    const dir = await dirs.make();
    const { running, metricsUrl } = await start('slow', dir, { KINESIS_ENDPOINT: proxy.endpoint, POLL_INTERVAL_MS: '60000', BUFFER_MAX_MS: '900000', SHUTDOWN_DRAIN_MS: '1000' });
    await firstReadsDone(metricsUrl, 1);
    const sent = await put('slow', 5);
    proxy.plan.latencyMs = 10_000; // every read the drain makes is still on its way at the deadline

    running.child.kill('SIGTERM');
    expect(await running.exited, running.stderr()).toBe(0);
    expect(running.stderr()).toContain('"msg":"stop drain deadline passed: flushing what was read; the rest of the stream is read by the next start"');
    expect(await lakeIds(join(dir, 'lake'))).toEqual([]); // nothing was read
    proxy.plan.latencyMs = 0;

    const again = await start('slow', dir, { BUFFER_MAX_MS: '100' });
    await waitFor('the rest delivered by the next start', async () => (await lakeIds(join(dir, 'lake')).catch(() => [])).length === sent.length);
    expect(await lakeIds(join(dir, 'lake'))).toEqual(sent);
    again.running.child.kill('SIGTERM');
    expect(await again.running.exited).toBe(0);
  });
});

describe('SHUTDOWN_DRAIN_MS configuration', () => {
  it('must leave 5 s of SHUTDOWN_TIMEOUT_MS for the final flushes (they run after the drain)', async () => {
    const run = runEntry('src/node.ts', [], { KINESIS_ENDPOINT: 'http://127.0.0.1:1', STREAM_NAME: 's', SHUTDOWN_DRAIN_MS: '21000', SHUTDOWN_TIMEOUT_MS: '25000' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('SHUTDOWN_DRAIN_MS (21000) must leave at least 5000 ms of SHUTDOWN_TIMEOUT_MS (25000) for the final flushes after the drain: at most 20000');
  });
});
