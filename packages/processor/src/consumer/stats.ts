/** Counters since the consumer started (not persisted). */
export interface ConsumerStats {
  recordsRead: number;
  rowsDelivered: number;
  badRows: number;
  /** Records dropped because their event_id repeated within one flush. */
  duplicates: number;
  /** Records left out because an earlier flush (any shard, any run) delivered their event_id. */
  alreadyDelivered: number;
  filesWritten: number;
  /** Event ids in the cross-flush dedupe index (absent when it is off). */
  seenIds?: number;
  /** GetRecords / GetShardIterator / write failures that were logged and retried. */
  errors: number;
}

export function emptyStats(): ConsumerStats {
  return { recordsRead: 0, rowsDelivered: 0, badRows: 0, duplicates: 0, alreadyDelivered: 0, filesWritten: 0, errors: 0 };
}
