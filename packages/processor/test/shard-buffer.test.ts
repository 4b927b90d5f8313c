import { describe, expect, it } from 'vitest';
import { addRecords, dropRecords, duePartitions, emptyBuffer, isDue, flushThrough } from '../src/consumer/shard-buffer';
import { prepareRecords, type PreparedRecord } from '../src/delivery/deliver';
import { record, storedEvent } from './fixtures/events';

const HOUR = '2026-11-25T09:31:12.456Z';
const BIG = 'events/app_id=big/event_date=2026-11-25/hour=09/.ndjson.gz';
const SMALL = 'events/app_id=few/event_date=2026-11-25/hour=09/.ndjson.gz';

/** One processed event of `app` (each ~400 input bytes). */
function event(app: string): PreparedRecord[] {
  return prepareRecords([record(storedEvent({ app_id: app, received_at: HOUR }))]);
}

describe('shard buffer: hints per partition', () => {
  it('a partition reaching its size hint makes the flush due while another stays below its own', () => {
    const buffer = emptyBuffer();
    const one = event('big')[0]?.bytes ?? 0;
    const hints = { maxBytes: 3 * one, maxAgeMs: 60_000 };
    addRecords(buffer, [...event('big'), ...event('few'), ...event('big'), ...event('few')], 0);
    // 4 records ≥ 3 × one in total: a per-shard hint would be due; per partition nothing is.
    expect(isDue(buffer, hints, 1)).toBe(false);
    addRecords(buffer, event('big'), 1);
    expect(duePartitions(buffer, hints, 2)).toEqual([BIG]);
    expect(buffer.partitions.get(SMALL)?.bytes).toBe(2 * one);
    // The flush takes the shard's prefix: every partition's rows up to the checkpointable point.
    expect(flushThrough(buffer, hints.maxBytes, 500)).toBe(buffer.records.at(-1)?.sequenceNumber);
  });

  it('measures the interval from each partition’s oldest row, also after a partial flush', () => {
    const buffer = emptyBuffer();
    const hints = { maxBytes: 1024 * 1024, maxAgeMs: 1_000 };
    addRecords(buffer, event('big'), 0);
    addRecords(buffer, event('few'), 600);
    addRecords(buffer, event('big'), 900);
    expect(isDue(buffer, hints, 999)).toBe(false);
    expect(duePartitions(buffer, hints, 1_000)).toEqual([BIG]);
    dropRecords(buffer, 1); // the first row flushed; the rest keep their read times
    expect(buffer.partitions.get(BIG)).toEqual({ bytes: buffer.records[1]?.bytes, oldestReadAt: 900 });
    expect(duePartitions(buffer, hints, 1_599)).toEqual([]);
    expect(duePartitions(buffer, hints, 1_600)).toEqual([SMALL]);
    dropRecords(buffer, 2);
    expect(buffer.partitions.size).toBe(0);
    expect(isDue(buffer, hints, 10_000)).toBe(false);
  });

  it('caps a flush at the size hint per partition (not per shard), but always takes at least one record', () => {
    const buffer = emptyBuffer();
    addRecords(buffer, [...event('big'), ...event('few'), ...event('big'), ...event('big'), ...event('few')], 0);
    const one = buffer.records[0]?.bytes ?? 0;
    const seq = (i: number): string | undefined => buffer.records[i]?.sequenceNumber;
    // 2 × one per partition: the third `big` row would overflow its partition, so the flush ends before it.
    expect(flushThrough(buffer, 2 * one, 500)).toBe(seq(2));
    expect(flushThrough(buffer, 3 * one, 500)).toBe(seq(4));
    expect(flushThrough(buffer, 10, 500)).toBe(seq(0));
    expect(flushThrough(emptyBuffer(), 10, 500)).toBeUndefined();
  });

  it('cuts a flush before the record that would open one partition more than the cap, never inside a KPL aggregate', () => {
    const buffer = emptyBuffer();
    addRecords(buffer, [...event('a'), ...event('b'), ...event('a'), ...event('c'), ...event('b')], 0);
    const seq = (i: number): string | undefined => buffer.records[i]?.sequenceNumber;
    // Two partitions: `a` and `b` (and a second `a`) fit; `c` would be the third.
    expect(flushThrough(buffer, 1024 * 1024, 2)).toBe(seq(2));
    expect(flushThrough(buffer, 1024 * 1024, 3)).toBe(seq(4));
    expect(flushThrough(buffer, 1024 * 1024, 1)).toBe(seq(0));
    // Sub-records of one aggregate share a sequence number: the cut moves past them, whatever their partitions.
    const aggregate = emptyBuffer();
    const shared = [...event('a'), ...event('b'), ...event('c')].map((r) => ({ ...r, sequenceNumber: '100' }));
    addRecords(aggregate, [...shared, ...event('d')], 0);
    expect(flushThrough(aggregate, 1024 * 1024, 1)).toBe('100');
  });

  it('counts bad rows in their own partition (error prefix)', () => {
    const buffer = emptyBuffer();
    addRecords(buffer, prepareRecords([record('{not json')]), 0);
    expect([...buffer.partitions.keys()]).toEqual(['bad_rows/error_type=parse/event_date=2026-11-25/.ndjson.gz']);
  });
});
