import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, PutRecordsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, emulatorKinesisClientConfig, KINESIS_ENGINES, startKinesis, waitFor, type KinesisEmulator } from '@eventline/devstack';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery, startConsumer, type LakeRow, type RowSink } from '../src';
import { storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const DEVICES = 12;

/** Records rows in the order they are delivered. */
function recordingSink(): RowSink & { delivered: LakeRow[] } {
  const sink = {
    delivered: [] as LakeRow[],
    writeRows(rows: readonly LakeRow[]): Promise<void> {
      sink.delivered.push(...rows);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return sink;
}

describe.each(KINESIS_ENGINES)('SplitShard while consuming, against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let client: KinesisClient;

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [{ name: 'events', shards: 1 }]);
    client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await kinesis?.stop();
  });

  /** `perDevice` events for each device, continuing each device's seq from `fromSeq`. */
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

  it('loses nothing and keeps each device in order across parent and child shards', async () => {
    const dir = await dirs.make();
    const lakeDir = join(dir, 'lake');
    const rows = recordingSink();
    const consumer = await startConsumer({
      kinesis: emulatorKinesisClientConfig(kinesis.endpoint),
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
      const [parent] = (await client.send(new ListShardsCommand({ StreamName: 'events' }))).Shards ?? [];
      await client.send(
        new SplitShardCommand({ StreamName: 'events', ShardToSplit: parent!.ShardId!, NewStartingHashKey: (2n ** 127n).toString() }),
      );
      await waitFor('stream active after the split', async () => {
        const { StreamDescriptionSummary: s } = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'events' }));
        return s?.StreamStatus === 'ACTIVE';
      });
      const after = await put(10, 10);
      const shards = (await client.send(new ListShardsCommand({ StreamName: 'events' }))).Shards ?? [];
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
