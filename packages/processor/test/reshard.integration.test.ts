import { DescribeStreamSummaryCommand, ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, KINESIS_ENGINES, waitFor } from '@eventline/devstack';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runQuery, startConsumer } from '../src';
import { DEVICES, recordingSink, reshardStream } from './fixtures/reshard-stream';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe.each(KINESIS_ENGINES)('SplitShard while consuming, against %s', (engine) => {
  const stream = reshardStream(engine, 1);
  const client = () => stream.client();
  const put = (fromSeq: number, perDevice: number) => stream.put(fromSeq, perDevice);

  it('loses nothing and keeps each device in order across parent and child shards', async () => {
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const rows = recordingSink();
    const consumer = await startConsumer({
      kinesis: emulatorKinesisClientConfig(stream.endpoint()),
      streamName: 'events',
      lakeDir,
      checkpointFile: join(dir, 'cp.json'),
      maxAgeMs: 300,
      pollIntervalMs: 50,
      shardRefreshMs: 300,
      logger: () => undefined,
      delivery: { rowSink: rows },
    });
    try {
      const before = await put(0, 10);
      await waitFor('some events delivered from the parent', () => rows.delivered.length > 0);
      const [parent] = (await client().send(new ListShardsCommand({ StreamName: 'events' }))).Shards ?? [];
      await client().send(
        new SplitShardCommand({ StreamName: 'events', ShardToSplit: parent!.ShardId!, NewStartingHashKey: (2n ** 127n).toString() }),
      );
      await waitFor('stream active after the split', async () => {
        const { StreamDescriptionSummary: s } = await client().send(new DescribeStreamSummaryCommand({ StreamName: 'events' }));
        return s?.StreamStatus === 'ACTIVE';
      });
      const after = await put(10, 10);
      const shards = (await client().send(new ListShardsCommand({ StreamName: 'events' }))).Shards ?? [];
      expect(shards.filter((s) => s.ParentShardId === parent!.ShardId)).toHaveLength(2);
      await waitFor('every event delivered', () => rows.delivered.length >= before.length + after.length, 60_000);

      const sent = [...before, ...after].sort();
      expect(rows.delivered.map((r) => r.event_id).sort()).toEqual(sent);
      for (let d = 0; d < DEVICES; d += 1) {
        const seqs = rows.delivered.filter((r) => r.anonymous_id === `device-${d}`).map((r) => r.seq);
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i));
      }
    } finally {
      await consumer.stop();
    }
    expect(await runQuery(lakeDir, 'SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events')).toEqual([{ n: DEVICES * 20, d: DEVICES * 20 }]);
    expect(JSON.parse(await readFile(join(dir, 'cp.json'), 'utf8'))).toMatchObject({ shards: { 'shardId-000000000000': { ended: true } } });
  }, 120_000);
});
