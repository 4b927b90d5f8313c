import type { InputRecord } from '../core/process';
import { compareSequenceNumbers } from './sequence-numbers';

/** Records of one shard waiting to be written (in shard order), with what the flush rule needs. */
export interface ShardBuffer {
  records: InputRecord[];
  bytes: number;
  /** When the oldest buffered record was read (ms since epoch), or undefined when empty. */
  firstReadAt: number | undefined;
}

export function emptyBuffer(): ShardBuffer {
  return { records: [], bytes: 0, firstReadAt: undefined };
}

export function addRecords(buffer: ShardBuffer, records: readonly InputRecord[], nowMs: number): void {
  if (records.length === 0) return;
  buffer.firstReadAt ??= nowMs;
  for (const record of records) {
    buffer.records.push(record);
    buffer.bytes += record.data.byteLength;
  }
}

/** Flush when big enough, or when the oldest record has waited long enough. */
export function isDue(buffer: ShardBuffer, limits: { maxBytes: number; maxAgeMs: number }, nowMs: number): boolean {
  if (buffer.records.length === 0 || buffer.firstReadAt === undefined) return false;
  return buffer.bytes >= limits.maxBytes || nowMs - buffer.firstReadAt >= limits.maxAgeMs;
}

/** The buffer holds the record `seq` or one after it. */
export function reaches(buffer: ShardBuffer, seq: string): boolean {
  const last = buffer.records.at(-1);
  return last !== undefined && compareSequenceNumbers(last.sequenceNumber, seq) >= 0;
}

/** The leading records up to and including `seq` (not removed). */
export function recordsThrough(buffer: ShardBuffer, seq: string): InputRecord[] {
  const end = buffer.records.findIndex((r) => compareSequenceNumbers(r.sequenceNumber, seq) > 0);
  return end === -1 ? buffer.records.slice() : buffer.records.slice(0, end);
}

/** Remove the first `count` records; the rest keep their age. */
export function dropRecords(buffer: ShardBuffer, count: number): void {
  const dropped = buffer.records.splice(0, count);
  buffer.bytes -= dropped.reduce((sum, r) => sum + r.data.byteLength, 0);
  if (buffer.records.length === 0) buffer.firstReadAt = undefined;
}

/** The sequence number ending the longest leading run of at most `maxBytes` (never fewer than one record). */
export function sizeLimitedThrough(buffer: ShardBuffer, maxBytes: number): string | undefined {
  let bytes = 0;
  let through: string | undefined;
  for (const record of buffer.records) {
    bytes += record.data.byteLength;
    if (through !== undefined && bytes > maxBytes) break;
    through = record.sequenceNumber;
  }
  return through;
}
