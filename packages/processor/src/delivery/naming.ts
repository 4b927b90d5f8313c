/**
 * `<shardId>-<firstSeq>-<lastSeq>.ndjson.gz`: derived only from what the file holds, so a replay
 * of the same records rewrites the same object instead of adding a copy.
 */
export function objectName(shardId: string, firstSequenceNumber: string, lastSequenceNumber: string): string {
  for (const part of [shardId, firstSequenceNumber, lastSequenceNumber]) {
    if (!/^[A-Za-z0-9_.-]+$/.test(part)) throw new RangeError(`unsafe object name part: ${JSON.stringify(part)}`);
  }
  return `${shardId}-${firstSequenceNumber}-${lastSequenceNumber}.ndjson.gz`;
}

