import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, MergeShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, emulatorKinesisClientConfig, KINESIS_ENGINES, startKinesis, waitFor, type KinesisEmulator } from '@eventline/devstack';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderSink, startConsumer, type LakeRow, type RowSink, type Sink } from '../src';
import { storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const DEVICES = 12;
const PARENT = 'shardId-000000000000';
const ADJACENT = 'shardId-000000000001';

/** Records rows in the order they are delivered; `sawLater` resolves at the first row of the second round (seq >= 10). */
function recordingSink(): RowSink & { delivered: LakeRow[]; sawLater: Promise<void> } {
  let saw!: () => void;
  const sink = {
    delivered: [] as LakeRow[],
    sawLater: new Promise<void>((resolve) => (saw = resolve)),
    writeRows(rows: readonly LakeRow[]): Promise<void> {
      sink.delivered.push(...rows);
      if (rows.some((r) => (r.seq ?? 0) >= 10)) saw();
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return sink;
}

/**
 * Holds the adjacent parent's files back until rows sent after the merge are delivered, or for
 * 5 s: a slow adjacent parent. A child started too early delivers them during the hold and
 * overtakes it; one that waits for both parents never does, and the hold then simply ends.
 */
function slowAdjacentParent(inner: Sink, release: Promise<void>): Sink {
  return {
    async write(key, bytes) {
      if (key.includes(ADJACENT)) await Promise.race([release, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await inner.write(key, bytes);
    },
  };
}

describe.each(KINESIS_ENGINES)('MergeShards while consuming, against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let client: KinesisClient;

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 2 }]);
    client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await kinesis?.stop();
  });

  async function put(fromSeq: number, perDevice: number): Promise<string[]> {
    const events = Array.from({ length: DEVICES * perDevice }, (_, i) =>
      storedEvent({ anonymous_id: `device-${i % DEVICES}`, seq: fromSeq + Math.floor(i / DEVICES) }),
    );
    const out = await client.send(
      new PutRecordsCommand({ StreamName: 'events', Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }),
    );
    expect(out.FailedRecordCount ?? 0).toBe(0);
    return events.map((e) => e.event_id);
  }

  it('starts the child only after both parents ended: each device stays in order', async () => {
    const dir = await dirs.make();
    const rows = recordingSink();
    const before = await put(0, 10);
    const consumer = await startConsumer({
      kinesis: emulatorKinesisClientConfig(kinesis.endpoint),
      streamName: 'events',
      lakeDir: join(dir, 'lake'),
      checkpointFile: join(dir, 'cp.json'),
      maxAgeMs: 300,
      pollIntervalMs: 50,
      shardRefreshMs: 300,
      logger: () => undefined,
      sink: slowAdjacentParent(createFolderSink(join(dir, 'lake')), rows.sawLater),
      delivery: { rowSink: rows },
    });
    try {
      await client.send(new MergeShardsCommand({ StreamName: 'events', ShardToMerge: PARENT, AdjacentShardToMerge: ADJACENT }));
      await waitFor('stream active after the merge', async () => {
        const { StreamDescriptionSummary: s } = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'events' }));
        return s?.StreamStatus === 'ACTIVE';
      });
      const shards = (await client.send(new ListShardsCommand({ StreamName: 'events' }))).Shards ?? [];
      expect(shards.filter((s) => s.ParentShardId === PARENT && s.AdjacentParentShardId === ADJACENT)).toHaveLength(1);
      const after = await put(10, 10);
      await waitFor('every event delivered', () => rows.delivered.length >= before.length + after.length, 60_000);
      expect(rows.delivered.map((r) => r.event_id).sort()).toEqual([...before, ...after].sort());
      for (let d = 0; d < DEVICES; d += 1) {
        const seqs = rows.delivered.filter((r) => r.anonymous_id === `device-${d}`).map((r) => r.seq);
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i));
      }
    } finally {
      await consumer.stop();
    }
    expect(JSON.parse(await readFile(join(dir, 'cp.json'), 'utf8'))).toMatchObject({ shards: { [PARENT]: { ended: true }, [ADJACENT]: { ended: true } } });
  }, 120_000);
});
