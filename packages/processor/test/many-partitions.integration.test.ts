import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, emulatorKinesisClientConfig, startKinesis, waitFor, type KinesisEmulator } from '@eventline/devstack';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePrefix, createFolderSink, decodeNdjsonGzip, startConsumer, type Sink } from '../src';
import { WRITE_CONCURRENCY } from '../src/delivery/deliver';
import { storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

// `!{partitionKeyFromQuery:event}` with client-chosen event names: one partition (one file) per name.
const EVENT_PREFIX = 'events/event=!{partitionKeyFromQuery:event}/';
const NAMES = 1_200;
const dirs = tempDirs();
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Counts the writes in flight at once: the sink is not what is under test, the flush's write path is. */
function concurrencyProbe(inner: Sink): Sink & { maxInFlight: number } {
  let inFlight = 0;
  const probe = {
    maxInFlight: 0,
    async write(key: string, bytes: Uint8Array): Promise<void> {
      inFlight += 1;
      probe.maxInFlight = Math.max(probe.maxInFlight, inFlight);
      try {
        await inner.write(key, bytes);
      } finally {
        inFlight -= 1;
      }
    },
  };
  return probe;
}

/** Every event_id in the lake's event files, one entry per row. */
async function lakeEventIds(lakeDir: string): Promise<string[]> {
  const ids: string[] = [];
  const files = (await readdir(join(lakeDir, 'events'), { recursive: true })).filter((f) => f.endsWith('.ndjson.gz'));
  for (const file of files) {
    for (const row of decodeNdjsonGzip(await readFile(join(lakeDir, 'events', file)))) ids.push((row as { event_id: string }).event_id);
  }
  return ids;
}

/** One event per distinct name, put in order on the stream's single shard; the event ids and the last sequence number. */
async function putDistinctNames(kinesis: KinesisEmulator, stream: string): Promise<{ ids: string[]; shardId: string; lastSeq: string }> {
  const client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  const ids: string[] = [];
  let shardId = '';
  let lastSeq = '';
  try {
    for (let i = 0; i < NAMES; i += 500) {
      const events = Array.from({ length: Math.min(500, NAMES - i) }, (_, j) => storedEvent({ event: `name_${i + j}` }));
      const out = await client.send(
        new PutRecordsCommand({ StreamName: stream, Records: events.map((e) => ({ PartitionKey: 'dev-1', Data: Buffer.from(JSON.stringify(e)) })) }),
      );
      expect(out.FailedRecordCount ?? 0).toBe(0);
      ids.push(...events.map((e) => e.event_id));
      shardId = out.Records?.at(-1)?.ShardId ?? shardId;
      lastSeq = out.Records?.at(-1)?.SequenceNumber ?? lastSeq;
    }
  } finally {
    client.destroy();
  }
  return { ids, shardId, lastSeq };
}

describe('a flush over more partitions than files a process may open', () => {
  let kinesis: KinesisEmulator;
  beforeAll(async () => {
    kinesis = await startKinesis({ engine: 'kinesalite' });
    await ensureStreams(kinesis.endpoint, [{ name: 'names', shards: 1 }, { name: 'replayed', shards: 1 }]);
  }, 60_000);
  afterAll(async () => {
    await kinesis?.stop();
    await dirs.cleanup();
  });

  it('is cut at the partition cap and written a few files at a time; every event lands once', { timeout: 90_000 }, async () => {
    const { ids } = await putDistinctNames(kinesis, 'names');
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const sink = concurrencyProbe(createFolderSink(lakeDir));
    const filesPerFlush: number[] = [];
    const consumer = await startConsumer({
      kinesis: emulatorKinesisClientConfig(kinesis.endpoint),
      streamName: 'names',
      lakeDir,
      checkpointFile: join(dir, 'names.json'),
      maxAgeMs: 100,
      maxPartitions: 100,
      pollIntervalMs: 50,
      sink,
      delivery: { eventPrefix: compilePrefix(EVENT_PREFIX, 'events') },
      observer: {
        recordsRead: () => undefined,
        flushed: (_shard, flush) => void filesPerFlush.push(flush.files.length),
        buffered: () => undefined,
        failed: () => undefined,
        shardEnded: () => undefined,
        pendingRangeExpired: () => undefined,
      },
    });
    try {
      await waitFor('every event delivered', () => consumer.stats().rowsDelivered >= NAMES, 60_000);
    } finally {
      await consumer.stop();
    }
    expect(consumer.stats().errors).toBe(0);
    expect(Math.max(...filesPerFlush)).toBeLessThanOrEqual(100);
    expect(filesPerFlush.reduce((a, b) => a + b, 0)).toBe(NAMES);
    expect(sink.maxInFlight).toBeLessThanOrEqual(WRITE_CONCURRENCY);
    expect((await lakeEventIds(lakeDir)).sort()).toEqual([...ids].sort());
  });

  it('a pending range saved with more partitions than the fd limit (an older version) still delivers under prlimit --nofile=256', { timeout: 120_000 }, async () => {
    const { ids, shardId, lastSeq } = await putDistinctNames(kinesis, 'replayed');
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const checkpointFile = join(dir, 'replayed.json');
    // What a version without the partition cap saved before its files failed with EMFILE: the whole range, announced.
    const pending = { sequence_number: null, ended: false, pending_through: lastSeq, updated_at: new Date().toISOString() };
    await writeFile(checkpointFile, JSON.stringify({ version: 1, stream: 'replayed', shards: { [shardId]: pending } }));
    const child = spawn('prlimit', ['--nofile=256:256', process.execPath, '--import', 'tsx', 'src/node.ts'], {
      cwd: packageDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        KINESIS_ENDPOINT: kinesis.endpoint,
        STREAM_NAME: 'replayed',
        LAKE_DIR: lakeDir,
        CHECKPOINT_FILE: checkpointFile,
        EVENT_PREFIX,
        BUFFER_MAX_MS: '200',
        POLL_INTERVAL_MS: '50',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(
        'the replayed range checkpointed',
        async () => {
          const saved = JSON.parse(await readFile(checkpointFile, 'utf8')) as { shards: Record<string, { sequence_number: string | null }> };
          return saved.shards[shardId]?.sequence_number === lastSeq || child.exitCode !== null;
        },
        60_000,
        200,
      );
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`${String(error)}; stderr: ${stderr.slice(-600)}`);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EMFILE/);
    expect((await lakeEventIds(lakeDir)).sort()).toEqual([...ids].sort());
  });
});
