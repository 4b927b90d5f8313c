export type FileExtension = '.ndjson.gz' | '.parquet';

/**
 * `<shardId>-<firstSeq>-<lastSeq><ext>`: derived only from what the file holds, so a replay
 * of the same records rewrites the same object instead of adding a copy.
 */
export function objectName(shardId: string, firstSequenceNumber: string, lastSequenceNumber: string, extension: FileExtension = '.ndjson.gz'): string {
  return `${safe(shardId)}-${safe(firstSequenceNumber)}-${safe(lastSequenceNumber)}${extension}`;
}

/**
 * `<shardId>-<batchFirstSeq><ext>`: every file of one Lambda batch is named after the batch's first
 * record. Lambda retries a failed batch from that same record and may add records after it, so the
 * retry's files replace the failed attempt's files (same folder, same name, a superset of the rows)
 * instead of sitting next to them.
 */
export function batchObjectName(shardId: string, batchFirstSequenceNumber: string, extension: FileExtension = '.ndjson.gz'): string {
  return `${safe(shardId)}-${safe(batchFirstSequenceNumber)}${extension}`;
}

/**
 * The bad rows of events the row sink refused, next to the flush's other bad rows: named after the
 * flush (or Lambda batch) and marked, so it never takes the name of another file in the same folder.
 */
export function refusedRowsObjectName(shardId: string, firstSequenceNumber: string, lastSequenceNumber?: string): string {
  return `${safe(shardId)}-${safe(firstSequenceNumber)}${lastSequenceNumber === undefined ? '' : `-${safe(lastSequenceNumber)}`}-row-sink.ndjson.gz`;
}

function safe(part: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(part)) throw new RangeError(`unsafe object name part: ${JSON.stringify(part)}`);
  return part;
}

/**
 * The longest object name the lake writes, in bytes (all ASCII): the names above made of the longest parts
 * Kinesis gives (its API reference: a ShardId has at most 128 characters, a SequenceNumber at most 129
 * digits). The row sink's refusals name the most: 128 + 1 + 129 + 1 + 129 + 19 = 407. Today's shard ids
 * (20 characters) and sequence numbers (56 digits) make ~130.
 */
export const MAX_OBJECT_NAME_BYTES = ((shardId: string, seq: string): number =>
  Math.max(
    ...(['.ndjson.gz', '.parquet'] as const).flatMap((ext) => [objectName(shardId, seq, seq, ext).length, batchObjectName(shardId, seq, ext).length]),
    refusedRowsObjectName(shardId, seq, seq).length,
  ))('s'.repeat(128), '9'.repeat(129));
