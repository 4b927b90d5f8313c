import { DescribeStreamSummaryCommand, ListShardsCommand, MergeShardsCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, KINESIS_ENGINES, waitFor } from '@eventline/devstack';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderSink, startConsumer, type Sink } from '../src';
import { DEVICES, recordingSink, reshardStream } from './fixtures/reshard-stream';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const PARENT = 'shardId-000000000000';
const ADJACENT = 'shardId-000000000001';

/** Records rows in delivery order; `sawLater` resolves at the first row of the second round (seq >= 10). */
function laterWatchingSink(): ReturnType<typeof recordingSink> & { sawLater: Promise<void> } {
  let saw!: () => void;
  const sawLater = new Promise<void>((resolve) => (saw = resolve));
  return Object.assign(recordingSink((rows) => rows.some((r) => (r.seq ?? 0) >= 10) && saw()), { sawLater });
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
  const stream = reshardStream(engine, 2);
  const client = () => stream.client();
  const put = (fromSeq: number, perDevice: number) => stream.put(fromSeq, perDevice);

  it('starts the child only after both parents ended: each device stays in order', async () => {
    const dir = await dirs.make();
    const rows = laterWatchingSink();
    const before = await put(0, 10);
    const consumer = await startConsumer({
      kinesis: emulatorKinesisClientConfig(stream.endpoint()),
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
      await client().send(new MergeShardsCommand({ StreamName: 'events', ShardToMerge: PARENT, AdjacentShardToMerge: ADJACENT }));
      await waitFor('stream active after the merge', async () => {
        const { StreamDescriptionSummary: s } = await client().send(new DescribeStreamSummaryCommand({ StreamName: 'events' }));
        return s?.StreamStatus === 'ACTIVE';
      });
      const shards = (await client().send(new ListShardsCommand({ StreamName: 'events' }))).Shards ?? [];
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
