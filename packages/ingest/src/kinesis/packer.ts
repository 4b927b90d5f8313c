import type { OutRecord } from './record-writer';

/** Kinesis PutRecords limits (AWS docs): 500 records and 5 MiB per call, 1 MiB per record. */
export const PUT_RECORDS_MAX_COUNT = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
export const RECORD_MAX_BYTES = 1024 * 1024;

export function recordSize(record: OutRecord): number {
  // The 1 MiB and 5 MiB limits count data plus the partition key's UTF-8 bytes.
  return record.data.byteLength + Buffer.byteLength(record.partitionKey, 'utf8');
}

/** Split record indexes into PutRecords calls that respect the count and byte limits, in order. */
export function packCalls(records: OutRecord[], indexes: number[]): number[][] {
  const calls: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const i of indexes) {
    const record = records[i];
    if (!record) continue;
    const size = recordSize(record);
    if (size > RECORD_MAX_BYTES) throw new Error(`record ${i} is ${size} bytes, over the 1 MiB Kinesis limit`);
    if (current.length === PUT_RECORDS_MAX_COUNT || bytes + size > PUT_RECORDS_MAX_BYTES) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
