export type FileExtension = '.ndjson.gz' | '.parquet';

/**
 * `<shardId>-<firstSeq>-<lastSeq><ext>`: derived only from what the file holds, so a replay
 * of the same records rewrites the same object instead of adding a copy.
 */
export function objectName(shardId: string, firstSequenceNumber: string, lastSequenceNumber: string, extension: FileExtension = '.ndjson.gz'): string {
  for (const part of [shardId, firstSequenceNumber, lastSequenceNumber]) {
    if (!/^[A-Za-z0-9_.-]+$/.test(part)) throw new RangeError(`unsafe object name part: ${JSON.stringify(part)}`);
  }
  return `${shardId}-${firstSequenceNumber}-${lastSequenceNumber}${extension}`;
}
