import { DescribeStreamCommand, KinesisClient, PutRecordsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { DEFAULT_ENGINE, emulatorKinesisClientConfig, ensureStreams, startKinesis, waitFor, type KinesisEmulator } from '@eventline/devstack';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src';
import { storedEvent } from './fixtures/events';
import { parsePrometheusText } from './fixtures/prometheus-text';
import { runEntry, type Running } from './fixtures/run-node';
import { tempDirs } from './fixtures/temp-dir';

// SHUTDOWN_DRAIN_MS reads to the tip as of the signal: a producer that goes on writing does not hold
// the stop to its limit, and the children of a shard split just before or during the stop are read too.
// The limits are a minute: a drain that ran to one would log its deadline line.
const DEADLINE_LINE = 'stop drain deadline passed';
const LONG_DRAIN = { SHUTDOWN_DRAIN_MS: '60000', SHUTDOWN_TIMEOUT_MS: '90000' };
const dirs = tempDirs();
let kinesis: KinesisEmulator;
let client: KinesisClient;
const processors: Running[] = [];

beforeAll(async () => {
  kinesis = await startKinesis({ engine: DEFAULT_ENGINE });
  client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
});
afterAll(async () => {
  for (const p of processors) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processors.map((p) => p.exited));
  client.destroy();
  await kinesis?.stop();
  await dirs.cleanup();
});

async function start(stream: string, dir: string, env: Record<string, string>): Promise<{ running: Running; metricsUrl: string }> {
  const running = runEntry('src/node.ts', [], { KINESIS_ENDPOINT: kinesis.endpoint, STREAM_NAME: stream, LAKE_DIR: join(dir, 'lake'), CHECKPOINT_FILE: join(dir, 'cp.json'), METRICS_PORT: '0', ...env });
  processors.push(running);
  await waitFor('the ready line', () => running.stdout().includes('\n') || running.child.exitCode !== null);
  const ready = JSON.parse(running.stdout().split('\n')[0] ?? '') as { metrics_url: string };
  return { running, metricsUrl: ready.metrics_url };
}

async function firstReadsDone(metricsUrl: string, shards: number): Promise<void> {
  await waitFor('every shard read once', async () => {
    const samples = parsePrometheusText(await (await fetch(metricsUrl)).text());
    return samples.filter((s) => s.name === 'eventline_processor_behind_latest_seconds').length >= shards;
  });
}

let devices = 0;
async function put(stream: string, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, () => storedEvent({ anonymous_id: `dev-${devices++}` }));
  const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }));
  expect(out.FailedRecordCount).toBe(0);
  return events.map((e) => e.event_id);
}

const lakeIds = async (lakeDir: string): Promise<string[]> => (await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id').catch(() => [])).map((r) => r.event_id as string);

async function split(stream: string): Promise<void> {
  await client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
  await waitFor('the split done', async () => (await client.send(new DescribeStreamCommand({ StreamName: stream }))).StreamDescription?.StreamStatus === 'ACTIVE');
}

describe('SHUTDOWN_DRAIN_MS reads to the tip as of the signal', () => {
  it('a producer that keeps writing during the stop: the drain ends at the records put before the signal, not at its limit', async () => {
    await ensureStreams(kinesis.endpoint, [{ name: 'busy', shards: 1 }]);
    const dir = await dirs.make();
    const { running, metricsUrl } = await start('busy', dir, { BUFFER_MAX_MS: '900000', ...LONG_DRAIN });
    await firstReadsDone(metricsUrl, 1);
    const beforeSignal: string[] = [];
    let producing = true;
    let signalled = false;
    const producer = (async () => {
      while (producing) {
        const ids = await put('busy', 5);
        // Put whole before the signal: the drain owes these to the lake.
        if (!signalled) beforeSignal.push(...ids);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await waitFor('some records put', () => beforeSignal.length >= 50);
    signalled = true;
    running.child.kill('SIGTERM');
    const code = await running.exited;
    producing = false;
    await producer;
    expect(code).toBe(0);
    expect(running.stderr()).not.toContain(DEADLINE_LINE);
    const lake = new Set(await lakeIds(join(dir, 'lake')));
    expect(beforeSignal.filter((id) => !lake.has(id))).toEqual([]);
  }, 150_000);

  it('a shard split shortly before the signal: the drain reads the parent to its end, then its children', async () => {
    await ensureStreams(kinesis.endpoint, [{ name: 'split', shards: 1 }]);
    const dir = await dirs.make();
    // A minute between reads: the parent is still open to the reader when the stop comes.
    const { running, metricsUrl } = await start('split', dir, { POLL_INTERVAL_MS: '60000', BUFFER_MAX_MS: '900000', ...LONG_DRAIN });
    await firstReadsDone(metricsUrl, 1);
    const before = await put('split', 20);
    await split('split');
    const after = await put('split', 20);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stderr()).not.toContain(DEADLINE_LINE);
    expect((await lakeIds(join(dir, 'lake'))).sort()).toEqual([...before, ...after].sort());
  }, 150_000);

  it('a shard that ended before the signal, its children not listed yet (the re-list is every 30 s): the drain lists and reads them', async () => {
    await ensureStreams(kinesis.endpoint, [{ name: 'split2', shards: 1 }]);
    const dir = await dirs.make();
    const { running, metricsUrl } = await start('split2', dir, { BUFFER_MAX_MS: '900000', ...LONG_DRAIN });
    await firstReadsDone(metricsUrl, 1);
    await split('split2');
    await waitFor('the parent ended', () => running.stderr().includes('"shard ended"'));
    const after = await put('split2', 20);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stderr()).not.toContain(DEADLINE_LINE);
    expect((await lakeIds(join(dir, 'lake'))).sort()).toEqual([...after].sort());
  }, 150_000);
});
