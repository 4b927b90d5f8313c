import { waitFor } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { decodeNdjsonGzip, type LakeRow } from '../src';
import { fanOut } from '../src/consumer/observer';
import { runShardReader } from '../src/consumer/shard-reader';
import { emptyStats, statsObserver } from '../src/consumer/stats';
import { createProcessorMetrics } from '../src/metrics/processor-metrics';
import { record, storedEvent } from './fixtures/events';
import { fakeShard, memoryCheckpoints, memorySink } from './fixtures/fake-shard';
import { valueOf } from './fixtures/metric-values';

const SHARD = 'shardId-000000000000';
const limits = { maxBytes: 1024 * 1024, maxPartitions: 500, maxAgeMs: 1, pollIntervalMs: 1 };
const EXPIRED_MSG = "a pending range's records expired from the stream before they were delivered (the stream's retention trimmed them); they are lost";

// Kinesis retention is 24 h at least and the emulators never trim on their own: the fake shard
// stands in for a stream whose oldest records are gone. A pending range announced before the
// trim (its records 1–3) is re-read after it, when the shard starts at record 4.
function trimmedShard(): { shard: ReturnType<typeof fakeShard>; start: { sequenceNumber: string; ended: false; pendingThrough: string }; kept: string[] } {
  const trimmed = [1, 2, 3, 4].map(() => record(storedEvent()));
  const kept = [storedEvent(), storedEvent()];
  const keptRecords = kept.map((e) => record(e));
  const shard = fakeShard();
  shard.append(keptRecords);
  return {
    shard,
    start: { sequenceNumber: trimmed[0]!.sequenceNumber, ended: false, pendingThrough: trimmed[3]!.sequenceNumber },
    kept: kept.map((e) => e.event_id),
  };
}

function run(shard: ReturnType<typeof fakeShard>, start: { sequenceNumber: string; ended: false; pendingThrough: string }) {
  const metrics = createProcessorMetrics({ defaultMetrics: false });
  const stats = emptyStats();
  const sink = memorySink();
  const checkpoints = memoryCheckpoints();
  const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const abort = new AbortController();
  const running = runShardReader({
    client: shard.client,
    streamName: 'events',
    shardId: SHARD,
    start,
    sink,
    delivery: {},
    checkpoints,
    limits,
    observer: fanOut(statsObserver(stats), metrics.observerFor('events')),
    log: (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) }),
    signal: abort.signal,
  });
  return { metrics, stats, sink, checkpoints, logs, running, stop: () => abort.abort() };
}

describe('a pending range trimmed by the stream retention', () => {
  it('is logged as lost and counted (stats and metric), and the records after it are delivered', async () => {
    const { shard, start, kept } = trimmedShard();
    const r = run(shard, start);
    try {
      await waitFor('the kept records delivered', () => r.stats.rowsDelivered === 2, 5_000, 5);
    } finally {
      r.stop();
      await r.running;
    }
    expect(r.stats.pendingRangesExpired).toBe(1);
    expect(await valueOf(r.metrics.registry, 'eventline_processor_pending_ranges_expired_total', { stream: 'events' })).toBe(1);
    expect(r.logs.filter((l) => l.msg === EXPIRED_MSG)).toEqual([
      {
        level: 'error',
        msg: EXPIRED_MSG,
        fields: { stream: 'events', shard: SHARD, checkpoint: start.sequenceNumber, pending_through: start.pendingThrough, first_record_read: expect.any(String) as unknown },
      },
    ]);
    const delivered = [...r.sink.files.values()].flatMap((bytes) => decodeNdjsonGzip(bytes) as LakeRow[]).map((row) => row.event_id);
    expect(delivered.sort()).toEqual([...kept].sort());
    expect(r.checkpoints.current.get(SHARD)?.pendingThrough).toBeUndefined();
  });

  it('a closed shard read to its end without reaching the range: counted and logged too, then the shard ends', async () => {
    const { start } = trimmedShard();
    const shard = fakeShard();
    shard.close();
    const r = run(shard, start);
    await expect(r.running).resolves.toBe('ended');
    expect(r.stats.pendingRangesExpired).toBe(1);
    expect(r.logs.map((l) => l.msg)).toEqual([EXPIRED_MSG, 'shard ended']);
    expect(r.checkpoints.current.get(SHARD)).toEqual({ sequenceNumber: start.sequenceNumber, ended: true });
  });

  it('a pending range still in the stream is replayed, not counted as expired', async () => {
    const events = [storedEvent(), storedEvent()];
    const records = events.map((e) => record(e));
    const shard = fakeShard();
    shard.append(records);
    const r = run(shard, { sequenceNumber: records[0]!.sequenceNumber, ended: false, pendingThrough: records[1]!.sequenceNumber });
    try {
      await waitFor('the range replayed', () => r.stats.rowsDelivered === 1, 5_000, 5);
    } finally {
      r.stop();
      await r.running;
    }
    expect(r.stats.pendingRangesExpired).toBe(0);
    expect(r.logs.map((l) => l.msg)).not.toContain(EXPIRED_MSG);
  });
});
