import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, emulatorKinesisClientConfig, KINESIS_ENGINES, startKinesis, type KinesisEmulator, waitFor } from '@eventline/devstack';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFolderSink, runQuery, startConsumer, type Sink } from '../src';
import { storedEvent } from './fixtures/events';
import { renameUnlinksThenFails } from './fixtures/rename-fault';
import { tempDirs } from './fixtures/temp-dir';

// Only the checkpoint's main-file rename is faulted, as on a file system whose rename unlinks the target and then fails.
vi.mock('node:fs/promises', async (importOriginal) => (await import('./fixtures/rename-fault')).withRenameFaults(importOriginal));

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe.each(KINESIS_ENGINES)('the completing save\'s main-file rename removes the file and fails, then the consumer stops, against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let producer: KinesisClient;
  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    producer = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  });
  afterAll(async () => {
    producer?.destroy();
    await kinesis?.stop();
  });

  async function put(stream: string, count: number, from: number) {
    const events = Array.from({ length: count }, (_, i) => storedEvent({ anonymous_id: `dev-${from + i}`, seq: from + i, received_at: new Date().toISOString() }));
    const out = await producer.send(new PutRecordsCommand({ StreamName: stream, Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }));
    expect(out.FailedRecordCount ?? 0).toBe(0);
    return events;
  }

  it('the next start reads the copy: the later records are delivered once, the flush neither replayed nor duplicated in the lake', async () => {
    const stream = `rename-fault-${engine}`;
    await ensureStreams(kinesis.endpoint, [{ name: stream, shards: 1 }]);
    const first = await put(stream, 8, 0);
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const checkpointFile = join(dir, 'checkpoints', `${stream}.json`);
    const folder = createFolderSink(lakeDir);
    // From the flush's first file on (after its announcing save), every rename of the main file fails.
    const sink: Sink = {
      async write(key, bytes) {
        renameUnlinksThenFails.add(checkpointFile);
        await folder.write(key, bytes);
      },
    };
    const errors: Record<string, unknown>[] = [];
    const config = { kinesis: emulatorKinesisClientConfig(kinesis.endpoint), streamName: stream, lakeDir, checkpointFile, maxAgeMs: 300, pollIntervalMs: 100 };
    const running = await startConsumer({ ...config, sink, logger: (level, _msg, fields) => void (level === 'error' && errors.push(fields ?? {})) });
    try {
      await waitFor('the completing save failed', () => errors.some((e) => e.operation === 'checkpoint' || /EIO/.test(String(e.error))));
    } finally {
      await expect(running.stop()).rejects.toThrow(/unflushed records/);
    }
    const lakeIds = async () => (await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id')).map((row) => row.event_id as string);
    // The flush's files were written (its completing save is what failed).
    expect(await lakeIds()).toEqual(first.map((e) => e.event_id).sort());
    // What the failed renames left: no main file, the copy holding the completed flush.
    expect(await readdir(join(dir, 'checkpoints'))).not.toContain(`${stream}.json`);
    expect(JSON.parse(await readFile(`${checkpointFile}.bak`, 'utf8'))).toMatchObject({ shards: { 'shardId-000000000000': { pending_through: null } } });
    renameUnlinksThenFails.clear();
    const files = await readdir(lakeDir, { recursive: true });
    const later = await put(stream, 4, 8);

    const warnings: string[] = [];
    const restarted = await startConsumer({ ...config, logger: (level, msg) => void (level === 'warn' && warnings.push(msg)) });
    try {
      await waitFor('4 rows delivered', () => restarted.stats().rowsDelivered + restarted.stats().alreadyDelivered >= 4);
      // A little longer, so that a replay of the first 8 (the old reading: a fresh start) would show.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      await restarted.stop();
    }
    // Each event once in the lake (before: 20 rows for 12 events, the flush's 8 again under another file name).
    expect(await lakeIds()).toEqual([...first, ...later].map((e) => e.event_id).sort());
    expect(restarted.stats()).toMatchObject({ recordsRead: 4, rowsDelivered: 4, alreadyDelivered: 0, duplicates: 0, errors: 0 });
    expect(await readdir(lakeDir, { recursive: true })).toEqual(expect.arrayContaining(files));
    expect(warnings).toContain('checkpoint file missing, a save of it cut mid-rename (its temp file is left); read from its copy');
  });
});
