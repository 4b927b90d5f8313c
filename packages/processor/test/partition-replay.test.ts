import { waitFor } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { decodeNdjsonGzip, type LakeRow, type Sink } from '../src';
import { runShardReader } from '../src/consumer/shard-reader';
import { emptyStats, statsObserver } from '../src/consumer/stats';
import { record, storedEvent } from './fixtures/events';
import { fakeShard, memoryCheckpoints } from './fixtures/fake-shard';

const SHARD = 'shardId-000000000000';
const HOUR = '2026-11-25T09:31:12.456Z';

/** Appends one event per app to the shard; returns their event ids. */
function appendEvents(shard: ReturnType<typeof fakeShard>, apps: string[]): string[] {
  const events = apps.map((app) => storedEvent({ app_id: app, received_at: HOUR }));
  shard.append(events.map((event) => record(event)));
  return events.map((event) => event.event_id);
}

describe('buffering hints per partition, across a crash', () => {
  it('a full partition flushes the shard prefix; the replay after a crash writes the same object names', async () => {
    // Two records a page: the reader takes the shard in small steps, as Kinesis may.
    const shard = fakeShard({ pageSize: 2 });
    const lake = new Map<string, Uint8Array>();
    const firstRun: string[] = [];
    let crashed = false;
    const abort = new AbortController();
    const checkpoints = memoryCheckpoints(() => crashed);
    const oneEvent = record(storedEvent({ app_id: 'big', received_at: HOUR })).data.byteLength;
    // `big` reaches its size hint (3 events) while `few` holds 1–2 events, below its own.
    const limits = { maxBytes: 3 * oneEvent, maxPartitions: 500, maxAgeMs: 10 * 60_000, pollIntervalMs: 1 };
    const sent = appendEvents(shard, ['big', 'few', 'big', 'big', 'few', 'big']);
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
    sent.push(...appendEvents(shard, ['few', 'big', 'few']));
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
