import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { waitFor } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { decodeNdjsonGzip, type CheckpointStore, type LakeRow, type ShardCheckpoint, type Sink } from '../src';
import { runShardReader } from '../src/consumer/shard-reader';
import { emptyStats, statsObserver } from '../src/consumer/stats';
import { record, storedEvent } from './fixtures/events';

const SHARD = 'shardId-000000000000';
const HOUR = '2026-11-25T09:31:12.456Z';

/** A shard as GetRecords serves it, two records per page; more can be appended while "down". */
function fakeShard(): { client: KinesisClient; append(apps: string[]): string[] } {
  const records: { Data: Uint8Array; PartitionKey: string; SequenceNumber: string }[] = [];
  const send = (command: unknown): Promise<unknown> => {
    if (command instanceof GetShardIteratorCommand) {
      const after = command.input.StartingSequenceNumber;
      const index = after === undefined ? 0 : records.findIndex((r) => r.SequenceNumber === after) + 1;
      return Promise.resolve({ ShardIterator: String(index) });
    }
    if (command instanceof GetRecordsCommand) {
      const index = Number(command.input.ShardIterator);
      const page = records.slice(index, index + 2);
      return Promise.resolve({ Records: page, NextShardIterator: String(index + page.length) });
    }
    return Promise.reject(new Error('unexpected command'));
  };
  return {
    // Only `send` is used by the reader; the cast stands in for the SDK client.
    client: { send } as unknown as KinesisClient,
    append(apps) {
      return apps.map((app) => {
        const event = storedEvent({ app_id: app, received_at: HOUR });
        const r = record(event);
        records.push({ Data: r.data, PartitionKey: r.partitionKey, SequenceNumber: r.sequenceNumber });
        return event.event_id;
      });
    },
  };
}

function memoryCheckpoints(failCommits: () => boolean): CheckpointStore & { current: Map<string, ShardCheckpoint> } {
  const current = new Map<string, ShardCheckpoint>();
  return {
    current,
    load: () => Promise.resolve(new Map(current)),
    save(shardId, checkpoint) {
      // A commit (no pending range) that fails is the process dying between its writes and its checkpoint.
      if (checkpoint.pendingThrough === undefined && failCommits()) return Promise.reject(new Error('injected crash before checkpoint'));
      current.set(shardId, checkpoint);
      return Promise.resolve();
    },
  };
}

describe('buffering hints per partition, across a crash', () => {
  it('a full partition flushes the shard prefix; the replay after a crash writes the same object names', async () => {
    const shard = fakeShard();
    const lake = new Map<string, Uint8Array>();
    const firstRun: string[] = [];
    let crashed = false;
    const abort = new AbortController();
    const checkpoints = memoryCheckpoints(() => crashed);
    const oneEvent = record(storedEvent({ app_id: 'big', received_at: HOUR })).data.byteLength;
    // `big` reaches its size hint (3 events) while `few` holds 1–2 events, below its own.
    const limits = { maxBytes: 3 * oneEvent, maxAgeMs: 10 * 60_000, pollIntervalMs: 1 };
    const sent = shard.append(['big', 'few', 'big', 'big', 'few', 'big']);
    const crashingSink: Sink = {
      write(key, bytes) {
        lake.set(key, bytes);
        firstRun.push(key);
        crashed = true;
        abort.abort();
        return Promise.resolve();
      },
    };
    const base = { client: shard.client, streamName: 'events', shardId: SHARD, delivery: {}, limits, log: () => undefined };
    await expect(
      runShardReader({ ...base, start: undefined, sink: crashingSink, checkpoints, observer: statsObserver(emptyStats()), signal: abort.signal }),
    ).rejects.toThrow(/final flush failed/);
    const pending = checkpoints.current.get(SHARD);
    expect(pending).toMatchObject({ sequenceNumber: null, pendingThrough: expect.any(String) as string });
    // One flush, retried in-process under the same names: `big` (full, 3 rows) and `few` (1 row, below its hint).
    const unique = [...new Set(firstRun)].sort();
    expect(unique.map((key) => key.split('/')[1])).toEqual(['app_id=big', 'app_id=few']);
    expect(unique.map((key) => decodeNdjsonGzip(lake.get(key) ?? new Uint8Array()).length)).toEqual([3, 1]);

    // Down: more records arrive, for both partitions. Restart from the saved checkpoint.
    crashed = false;
    sent.push(...shard.append(['few', 'big', 'few']));
    const secondRun: string[] = [];
    const sink: Sink = {
      write(key, bytes) {
        lake.set(key, bytes);
        secondRun.push(key);
        return Promise.resolve();
      },
    };
    const stop = new AbortController();
    const stats = emptyStats();
    const running = runShardReader({ ...base, start: pending, sink, checkpoints, observer: statsObserver(stats), signal: stop.signal });
    await waitFor('the announced range re-flushed and the rest read', () => stats.filesWritten >= 2 && stats.recordsRead >= sent.length, 5_000, 5);
    stop.abort();
    await expect(running).resolves.toBe('stopped');

    expect(secondRun.slice(0, unique.length).sort()).toEqual(unique);
    const ids = [...lake.values()].flatMap((bytes) => decodeNdjsonGzip(bytes) as LakeRow[]).map((row) => row.event_id);
    expect(ids.sort()).toEqual([...sent].sort());
    expect(checkpoints.current.get(SHARD)?.pendingThrough).toBeUndefined();
  });
});
