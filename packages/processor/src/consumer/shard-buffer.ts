import type { PreparedRecord } from '../delivery/deliver';
import { compareSequenceNumbers } from './sequence-numbers';

/** What the buffering hints look at, per partition (one output folder and format). */
export interface PartitionLoad {
  /** Input bytes of the partition's buffered rows. */
  bytes: number;
  /** When its oldest buffered row was read (ms since epoch). */
  oldestReadAt: number;
}

/**
 * One shard's processed records waiting to be written, in shard order, with the load of each
 * partition they fall into. The hints apply per partition; a flush still takes a prefix of the
 * shard, because a checkpoint can only advance over a prefix.
 */
export interface ShardBuffer {
  records: PreparedRecord[];
  /** Read time of each record, same index as `records`. */
  readAt: number[];
  partitions: Map<string, PartitionLoad>;
}

export interface BufferHints {
  /** Size hint of one partition, in input bytes. */
  maxBytes: number;
  /** Interval hint: the longest a partition's oldest row waits. */
  maxAgeMs: number;
}

export function emptyBuffer(): ShardBuffer {
  return { records: [], readAt: [], partitions: new Map() };
}

export function addRecords(buffer: ShardBuffer, records: readonly PreparedRecord[], nowMs: number): void {
  for (const record of records) {
    buffer.records.push(record);
    buffer.readAt.push(nowMs);
    count(buffer.partitions, record, nowMs);
  }
}

function count(partitions: Map<string, PartitionLoad>, record: PreparedRecord, readAt: number): void {
  const load = partitions.get(record.partition);
  if (load) load.bytes += record.bytes;
  else partitions.set(record.partition, { bytes: record.bytes, oldestReadAt: readAt });
}

/** The partitions that have reached a hint: their size, or their oldest row's age. */
export function duePartitions(buffer: ShardBuffer, hints: BufferHints, nowMs: number): string[] {
  const due: string[] = [];
  for (const [partition, load] of buffer.partitions) {
    if (load.bytes >= hints.maxBytes || nowMs - load.oldestReadAt >= hints.maxAgeMs) due.push(partition);
  }
  return due;
}

/** A flush is due when any partition has reached its size or interval hint. */
export function isDue(buffer: ShardBuffer, hints: BufferHints, nowMs: number): boolean {
  return duePartitions(buffer, hints, nowMs).length > 0;
}

/** The buffer holds the record `seq` or one after it. */
export function reaches(buffer: ShardBuffer, seq: string): boolean {
  const last = buffer.records.at(-1);
  return last !== undefined && compareSequenceNumbers(last.sequenceNumber, seq) >= 0;
}

/** The leading records up to and including `seq` (not removed). */
export function recordsThrough(buffer: ShardBuffer, seq: string): PreparedRecord[] {
  const end = buffer.records.findIndex((r) => compareSequenceNumbers(r.sequenceNumber, seq) > 0);
  return end === -1 ? buffer.records.slice() : buffer.records.slice(0, end);
}

/** Remove the first `count` records; the rest keep their read times, and the loads are recounted from them. */
export function dropRecords(buffer: ShardBuffer, count_: number): void {
  buffer.records.splice(0, count_);
  buffer.readAt.splice(0, count_);
  buffer.partitions.clear();
  buffer.records.forEach((record, i) => count(buffer.partitions, record, buffer.readAt[i] ?? 0));
}

/**
 * The sequence number ending the longest leading run in which no partition holds more than
 * `maxBytes` and no more than `maxPartitions` partitions appear (never fewer than one record):
 * each file stays within the size hint, and a flush writes at most `maxPartitions` files, cut
 * before the record that would open one more (it goes to the next flush).
 */
export function flushThrough(buffer: ShardBuffer, maxBytes: number, maxPartitions: number): string | undefined {
  const bytes = new Map<string, number>();
  let through: string | undefined;
  for (const record of buffer.records) {
    const known = bytes.get(record.partition);
    const total = (known ?? 0) + record.bytes;
    const over = total > maxBytes || (known === undefined && bytes.size >= maxPartitions);
    // Records of one KPL aggregate share a sequence number: never cut between them.
    if (through !== undefined && over && record.sequenceNumber !== through) break;
    bytes.set(record.partition, total);
    through = record.sequenceNumber;
  }
  return through;
}
